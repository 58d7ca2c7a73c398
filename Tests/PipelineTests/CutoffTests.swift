import Foundation
import NACHA
import Payments
import Pipeline
import SFTP
import Synchronization
import Testing
import TestSupport

@Suite(.serialized) struct CutoffTests {
    let server: SSHServer

    init() throws {
        server = try SSHServer.start()
    }

    @Test func happyPathDeliversExactArchivedBytesOnce() async throws {
        let fixture = try await CutoffFixture(payments: 7)
        let summary = try await fixture.job(fixture.sftp(server)).run()
        #expect(summary.paymentsCollected == 7)
        #expect(summary.filesRendered == 1)
        #expect(summary.filesUploaded == 1)
        #expect(summary.paymentsSubmitted == 7)
        let remote = try await fixture.remoteMatchesArchive(server.root)
        #expect(remote.names.count == 1)
        #expect(remote.allMatch)
        #expect(try await fixture.payments(.submittedToCore).count == 7)
        #expect(try await fixture.submittedExactlyOnce())
        // The remote file is a valid NACHA file with the totals the ledger recorded.
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        let read = Reader.read(try fixture.archive.read(file.archivePath))
        #expect(!read.hasErrors)
        #expect(read.computedTotals.totalCredit == file.totalCredit)
        #expect(try await fixture.store.filePayments(fileID: file.id).allSatisfy { $0.binding.traceNumber / 10_000_000 == 12_104_288 })
        // The history names the file and the entry's line.
        let payment = try #require(try await fixture.payments(.submittedToCore).first)
        let last = try #require(try await fixture.store.history(paymentID: payment.id).last)
        #expect(last.source?.file == "outbound:\(file.id)")
        #expect(last.source?.line != nil)
        #expect(last.actor == .cutoff)

        // A second run has nothing to do and sends nothing.
        let again = try await fixture.job(fixture.sftp(server)).run()
        #expect(again.filesRendered == 0 && again.filesUploaded == 0)
        #expect(try await fixture.remoteMatchesArchive(server.root).names.count == 1)
    }

    @Test func splitsFilesAndRefusesA37thFileThatDay() async throws {
        let fixture = try await CutoffFixture(payments: 38)
        await #expect {
            try await fixture.job(LocalDirectoryDestination(directory: server.root), limits: .init(maximumEntriesPerFile: 1)).run()
        } throws: { ($0 as? PipelineError)?.code == .fileIDModifiersExhausted }
        let files = try await fixture.store.outboundFiles(statuses: nil)
        #expect(files.count == 36)
        #expect(Set(files.compactMap(\.nacha?.fileIDModifier)).count == 36)
        // The 36 files went out all the same; the two payments left over wait, still P_VALIDATED and unbound.
        #expect(files.allSatisfy { $0.status == .uploaded })
        #expect(try await fixture.payments(.submittedToCore).count == 36)
        #expect(try await fixture.store.unboundValidatedPayments(limit: 100).count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).count == 36)
    }

    @Test func unknownHostKeyUploadsNothingAndTheNextRunResumes() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let empty = fixture.database.directory.appendingPathComponent("known_hosts_empty").path
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        await #expect { try await fixture.job(fixture.sftp(server, knownHosts: empty)).run() } throws: { error in
            guard let error = error as? PipelineError else { return false }
            return error.code == .configuration && error.message.contains("SHA256:")
        }
        #expect(try await fixture.store.outboundFiles(statuses: [.rendered]).count == 1)
        #expect(try await fixture.payments(.submittedToCore).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).isEmpty)

        let summary = try await fixture.job(fixture.sftp(server)).run()
        #expect(summary.filesResumed == 1 && summary.filesUploaded == 1 && summary.filesRendered == 0)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func serverDownMissesTheWindowAndALaterRunCompletes() async throws {
        let fixture = try await CutoffFixture(payments: 4)
        server.stop()
        await #expect { try await fixture.job(fixture.sftp(server), window: .seconds(2)).run() } throws: {
            ($0 as? PipelineError)?.code == .windowMissed
        }
        #expect(try await fixture.payments(.submittedToCore).isEmpty)
        // Every refused connection is in the file's delivery log, with its time and error.
        let waiting = try await fixture.store.outboundFiles(statuses: nil).map(\.id)
        let failures = try await fixture.store.deliveryFailures(fileIDs: waiting)
        #expect(!failures.isEmpty && failures.allSatisfy { $0.fileID == waiting.first && !$0.error.isEmpty })
        try server.launch()
        let summary = try await fixture.job(fixture.sftp(server)).run()
        #expect(summary.filesUploaded == 1)
        let remote = try await fixture.remoteMatchesArchive(server.root)
        #expect(remote.names.count == 1 && remote.allMatch)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func droppedConnectionMidUploadIsRetriedInsideTheWindow() async throws {
        let dropped = Mutex(false)
        let server = self.server
        let faults = FaultInjector { point in
            // The first time the .part is written, cut every session: the next step fails, the job reconnects.
            if point == .afterPartWritten, dropped.withLock({ let first = !$0; $0 = true; return first }) {
                server.dropConnections()
            }
            return false
        }
        let fixture = try await CutoffFixture(payments: 5)
        let summary = try await fixture.job(fixture.sftp(server), faults: faults).run()
        #expect(dropped.withLock { $0 })
        #expect(summary.filesUploaded == 1)
        let remote = try await fixture.remoteMatchesArchive(server.root)
        #expect(remote.names.count == 1 && remote.allMatch)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).filter { $0.hasSuffix(".part") }.isEmpty)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func missingRemoteDirectoryStopsAndALaterRunCompletes() async throws {
        let fixture = try await CutoffFixture(payments: 2)
        let directory = server.root + "/inbox"
        await #expect { try await fixture.job(fixture.sftp(server, directory: directory)).run() } throws: {
            ($0 as? PipelineError)?.code == .configuration
        }
        #expect(try await fixture.payments(.submittedToCore).isEmpty)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let summary = try await fixture.job(fixture.sftp(server, directory: directory)).run()
        #expect(summary.filesUploaded == 1)
        #expect(try await fixture.remoteMatchesArchive(directory).names.count == 1)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test(arguments: ["after_file_recorded", "after_part_written", "after_rename", "after_state_update"])
    func crashAtEveryStepThenRerunSendsOneFileAndSubmitsOnce(point: String) async throws {
        let armed = Mutex(true)
        let faults = FaultInjector { hit in
            hit.rawValue == point && armed.withLock { let fire = $0; $0 = false; return fire }
        }
        // `after_state_update` fires inside the store, in the transaction that marks the file uploaded.
        let fixture = try await CutoffFixture(payments: 6, faults: faults)
        await #expect(throws: PipelineError.self) { try await fixture.job(fixture.sftp(server), faults: faults).run() }
        #expect(try await fixture.payments(.submittedToCore).isEmpty)
        let rerun = try await fixture.job(fixture.sftp(server)).run()
        #expect(rerun.filesRendered == 0, "the same file is resumed, never re-rendered")
        #expect(rerun.filesUploaded + rerun.filesAlreadyAtBank == 1)
        let remote = try await fixture.remoteMatchesArchive(server.root)
        #expect(remote.names.count == 1 && remote.allMatch)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).filter { $0.hasSuffix(".part") }.isEmpty)
        #expect(try await fixture.payments(.submittedToCore).count == 6)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func twoCutoffsAtOnceOneRunsTheOtherSeesTheLock() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let slow = SlowDestination(inner: fixture.sftp(server), delay: .milliseconds(800))
        async let first = Result { () async throws(PipelineError) in try await fixture.job(slow).run() }
        async let second = Result { () async throws(PipelineError) in try await fixture.job(slow).run() }
        let results = await [first, second]
        // Whichever started first ran; the other saw the lock at once.
        let succeeded = results.compactMap { try? $0.get() }
        #expect(succeeded.count == 1)
        #expect(succeeded.first?.filesUploaded == 1)
        #expect(results.contains { if case .failure(let error) = $0 { error.code == .lockHeld } else { false } })
        #expect(try await fixture.submittedExactlyOnce())
        // Released: a third run takes the lock.
        #expect(try await fixture.job(slow).run().filesUploaded == 0)
    }

    @Test func stalledServerMissesTheWindowCleanly() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        server.pause(true)
        let started = ContinuousClock.now
        await #expect { try await fixture.job(fixture.sftp(server), window: .seconds(3)).run() } throws: {
            ($0 as? PipelineError)?.code == .windowMissed
        }
        server.pause(false)
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(try await fixture.store.outboundFiles(statuses: OutboundFileStatus.unfinished).count == 1)
        let summary = try await fixture.job(fixture.sftp(server)).run()
        #expect(summary.filesResumed == 1)
        #expect(try await fixture.remoteMatchesArchive(server.root).names.count == 1)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func remoteConflictIsNeverOverwritten() async throws {
        let fixture = try await CutoffFixture(payments: 2)
        // Render and record, but stop before delivery, then plant a different file under the final name.
        let armed = Mutex(true)
        let stop = FaultInjector { $0 == .afterFileRecorded && armed.withLock { let fire = $0; $0 = false; return fire } }
        await #expect(throws: PipelineError.self) { try await fixture.job(fixture.sftp(server), faults: stop).run() }
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.rendered]).first)
        let planted = Array("NOT OUR FILE\n".utf8)
        #expect(FileManager.default.createFile(atPath: server.root + "/" + file.name, contents: Data(planted)))
        let summary = try await fixture.job(fixture.sftp(server)).run()
        #expect(summary.filesFailed == 1)
        #expect(summary.alerts.count == 1)
        let failed = try await fixture.store.outboundFile(id: file.id)
        #expect(failed.status == .failed)
        #expect(failed.failureReason?.hasPrefix("remote_conflict") == true)
        #expect(FileManager.default.contents(atPath: server.root + "/" + file.name) == Data(planted))
        #expect(try await fixture.payments(.submittedToCore).isEmpty)
        // Once the operator clears the name, a retry sends the archived bytes.
        try FileManager.default.removeItem(atPath: server.root + "/" + file.name)
        let retried = try await fixture.job(fixture.sftp(server)).retry(fileID: file.id)
        #expect(retried.filesUploaded == 1)
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func cancelledFileReleasesItsPaymentsToTheNextRun() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let armed = Mutex(true)
        let stop = FaultInjector { $0 == .afterFileRecorded && armed.withLock { let fire = $0; $0 = false; return fire } }
        await #expect(throws: PipelineError.self) { try await fixture.job(fixture.sftp(server), faults: stop).run() }
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.rendered]).first)
        _ = try await fixture.store.cancelFile(fileID: file.id, actor: .operator, reason: "wrong batch")
        let released = try await fixture.payments(.validated)
        #expect(released.count == 3)
        let history = try await fixture.store.history(paymentID: released[0].id)
        #expect(history.last?.reasonCode == "file_cancelled")
        #expect(history.last?.actor == .operator)
        let summary = try await fixture.job(fixture.sftp(server)).run()
        #expect(summary.filesRendered == 1 && summary.filesUploaded == 1 && summary.paymentsCollected == 3)
        await #expect { try await fixture.store.cancelFile(fileID: file.id, actor: .operator, reason: "again") } throws: {
            ($0 as? PaymentError)?.code == .invalidStatus
        }
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func dryRunChangesNothing() async throws {
        let fixture = try await CutoffFixture(payments: 4)
        let files = try await fixture.job(fixture.sftp(server)).preview()
        #expect(files.count == 1)
        #expect(!Reader.read(files[0].bytes).hasErrors)
        #expect(try await fixture.store.outboundFiles(statuses: nil).isEmpty)
        #expect(try await fixture.payments(.validated).count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).isEmpty)
    }
}

/// A destination that takes its time to connect, so two runs overlap.
struct SlowDestination: Destination {
    let inner: any Destination
    let delay: Duration
    var description: String { inner.description }
    func connect(deadline: ContinuousClock.Instant) async throws(DestinationError) -> any DestinationSession {
        try? await Task.sleep(for: delay)
        return try await inner.connect(deadline: deadline)
    }
}

extension Result where Failure == PipelineError {
    init(catching body: () async throws(PipelineError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
