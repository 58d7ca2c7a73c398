import BankFiles
import Foundation
import NACHA
import Payments
import Pipeline
import Testing
import TestSupport

/// The watcher's conditions of time, raised while they hold and resolved once they clear.
@Suite struct AlertWatchTests {
    static let routing = AlertRouting(routes: [.init(codes: nil, minimumSeverity: .info, channels: ["ops"])])

    @Test func aSentFileNotAcknowledgedInTimeIsRaisedThenResolvedByTheAcknowledgement() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let bank = fixture.database.directory.appendingPathComponent("bank")
        try FileManager.default.createDirectory(at: bank, withIntermediateDirectories: true)
        #expect(try await fixture.job(LocalDirectoryDestination(directory: bank.path)).run().filesUploaded == 1)
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())

        #expect(await alerts.watch(at: Date().addingTimeInterval(3_600)).isEmpty, "an hour after the upload: still in time")
        let raised = await alerts.watch(at: Date().addingTimeInterval(5 * 3_600))
        #expect(raised.map(\.code) == [.fileUnacknowledged] && raised.first?.key == file.name)
        #expect(await alerts.watch(at: Date().addingTimeInterval(5 * 3_600 + 60)).isEmpty, "seen again, not raised again")
        #expect(try await fixture.store.alerts(openOnly: true, code: .fileUnacknowledged, limit: 10).first?.count == 2)

        // The bank's acknowledgement moves the file's payments on: the alert resolves.
        for payment in try await fixture.payments(.submittedToCore) {
            _ = try await fixture.store.transition(paymentID: payment.id, steps: [
                TransitionStep(to: .processing, actor: .bankFile, reasonCode: "acknowledged", reasonText: "accepted by the operator"),
            ])
        }
        _ = await alerts.watch(at: Date().addingTimeInterval(6 * 3_600))
        #expect(try await fixture.store.alerts(openOnly: true, code: nil, limit: 10).isEmpty)
        let resolved = try #require(try await fixture.store.alerts(openOnly: false, code: .fileUnacknowledged, limit: 10).first)
        #expect(resolved.status == .resolved)
        #expect(Set(try await fixture.store.alertNotifications(alertID: resolved.id).map(\.event)) == [.trigger, .resolve])
    }

    /// A profile that sets its own acknowledgement hours is held to them; the others to the default.
    @Test func aProfilesOwnAcknowledgementHoursApplyToItsFiles() async throws {
        let fixture = try await CutoffFixture(payments: 2)
        let bank = fixture.database.directory.appendingPathComponent("bank")
        try FileManager.default.createDirectory(at: bank, withIntermediateDirectories: true)
        var settings = CutoffJob.Settings(profile: fixture.profile, destination: LocalDirectoryDestination(directory: bank.path),
                                          archive: fixture.archive, filenameTemplate: FilenameTemplate("ACH_{origin}_{yyyyMMdd}_{modifier}_{id}.ach"))
        settings.profile = "primary"
        #expect(try await CutoffJob(settings: settings, store: fixture.store, logger: TestLog.logger()).run().filesUploaded == 1)
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        #expect(file.profile == "primary")
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())
        var thresholds = JobAlerts.Thresholds()
        #expect(await alerts.watch(at: Date().addingTimeInterval(2 * 3_600), thresholds: thresholds).isEmpty, "4 hours by default")
        thresholds.acknowledgementWaitByProfile = ["primary": 3_600, "backup": 8 * 3_600]
        let raised = await alerts.watch(at: Date().addingTimeInterval(2 * 3_600), thresholds: thresholds)
        #expect(raised.map(\.code) == [.fileUnacknowledged] && raised.first?.key == file.name)
    }

    @Test func anExpectedBankFileNotArrivedByItsTimeIsRaisedAndResolvedWhenItArrives() async throws {
        let fixture = try await CutoffFixture(payments: 0)
        let utc = TimeZone(identifier: "UTC")!
        let schedule = try CutoffSchedule(windows: [], timeZone: utc, delivery: .seconds(900))
        let expected = [(profile: "primary", schedule: schedule,
                         files: [ExpectedBankFile(kind: .acknowledgement, by: ACHTime(hour: 18, minute: 30), bankingDaysOnly: false)])]
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        // A Wednesday: before 18:30 nothing is due; after, the acknowledgement is missing.
        let day = calendar.date(from: DateComponents(year: 2026, month: 12, day: 9))!
        #expect(await alerts.watch(at: day.addingTimeInterval(18 * 3_600), expected: expected).isEmpty)
        let raised = await alerts.watch(at: day.addingTimeInterval(19 * 3_600), expected: expected)
        #expect(raised.map(\.code) == [.bankFileMissing] && raised.first?.key == "primary/acknowledgement/2026-12-09", "\(raised)")
        // It arrives late: the next pass resolves it.
        let bytes = Array("ack".utf8)
        try await fixture.store.recordInbound(InboundFile(id: Identifier.make(prefix: InboundFile.idPrefix), sha256: Archive.sha256(bytes),
                                                          kind: .fedACHAcknowledgement, source: "test", name: "ACK.txt", size: 3,
                                                          status: .duplicate, archivePath: "/dev/null",
                                                          receivedAt: day.addingTimeInterval(20 * 3_600)))
        #expect(await alerts.watch(at: day.addingTimeInterval(21 * 3_600), expected: expected).isEmpty)
        #expect(try await fixture.store.alerts(openOnly: true, code: .bankFileMissing, limit: 10).isEmpty)
        #expect(try await fixture.store.alerts(openOnly: false, code: .bankFileMissing, limit: 10).first?.status == .resolved)
    }

    /// Ingest raises what the bank's files say: rejected payments and contradictions of the ledger,
    /// news the watch resolves after a day.
    @Test func aRejectionAndADiscrepancyAreRaisedByIngestAndResolvedAfterADay() async throws {
        func rejection(of file: OutboundFile) -> [UInt8] {
            BankFileFixtures.acknowledgement(of: file, status: "FILE REJECTED WITH FILE LEVEL ERRORS",
                                             fileMessages: ["FH012-INVALID IMMEDIATE ORIGIN ON FILE HEADER"])
        }
        let (fixture, file, job) = try await IngestTests.submitted(3)
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())
        let rejected = try await job.ingest(rejection(of: file), name: "ack.txt", source: "test")
        #expect(rejected.rejected == 3 && rejected.discrepancies == 0)
        await alerts.ingestEnded([rejected], at: Date())
        let rejectionAlert = try #require(try await fixture.store.alerts(openOnly: true, code: .fileRejected, limit: 10).first)
        #expect(rejectionAlert.key == rejected.id && rejectionAlert.summary.contains("the bank rejected 3 payments"), "\(rejectionAlert.summary)")

        // Another file, accepted, then reported rejected: that contradicts the ledger, and rejects nothing.
        let (other, accepted, otherJob) = try await IngestTests.submitted(2)
        let otherAlerts = JobAlerts(store: other.store, routing: Self.routing, logger: TestLog.logger())
        #expect(try await otherJob.ingest(BankFileFixtures.acknowledgement(of: accepted), name: "ok.txt", source: "test").rejected == 0)
        let late = try await otherJob.ingest(rejection(of: accepted), name: "late.txt", source: "test")
        #expect(late.rejected == 0 && late.discrepancies == 2, "\(late)")
        await otherAlerts.ingestEnded([late], at: Date())
        let open = try await other.store.alerts(openOnly: true, code: nil, limit: 10)
        #expect(open.map(\.code) == [.discrepancyOpened] && open.first?.key == late.id, "\(open)")
        #expect(open.first?.summary.contains("late.txt contradicts the ledger in 2 records; first: ") == true, "\(open)")

        // The watch keeps them open for a day, then resolves them.
        _ = await alerts.watch(at: Date().addingTimeInterval(3_600))
        #expect(try await fixture.store.alerts(openOnly: true, code: .fileRejected, limit: 10).count == 1)
        _ = await alerts.watch(at: Date().addingTimeInterval(86_400 + 60))
        _ = await otherAlerts.watch(at: Date().addingTimeInterval(86_400 + 60))
        #expect(try await fixture.store.alerts(openOnly: true, code: .fileRejected, limit: 10).isEmpty)
        #expect(try await other.store.alerts(openOnly: true, code: .discrepancyOpened, limit: 10).isEmpty)
    }

    /// A lease not released long after it was taken is a stuck job; released, the alert resolves.
    @Test func aLeaseHeldFarLongerThanARunIsRaisedAndResolvedWhenReleased() async throws {
        let fixture = try await CutoffFixture(payments: 0)
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())
        try await fixture.store.acquireLease("cutoff:primary", owner: "A", holder: "other-host:42", expiresAt: Date().addingTimeInterval(1_200)) { _ in false }
        #expect(await alerts.watch(at: Date().addingTimeInterval(10 * 60)).isEmpty, "ten minutes: a run in progress")
        let raised = await alerts.watch(at: Date().addingTimeInterval(45 * 60))
        #expect(raised.map(\.code) == [.leaseStuck] && raised.first?.key == "cutoff:primary")
        #expect(raised.first?.summary.contains("other-host:42") == true && raised.first?.summary.contains("expired") == true)
        try await fixture.store.releaseLease("cutoff:primary", owner: "A")
        _ = await alerts.watch(at: Date().addingTimeInterval(46 * 60))
        #expect(try await fixture.store.alerts(openOnly: true, code: .leaseStuck, limit: 10).isEmpty)
    }

    /// A verification that finds a changed archived file raises `audit_verification_failed`; one
    /// that holds again resolves it.
    @Test func anAuditVerificationThatFailsIsRaisedAndOneThatHoldsResolvesIt() async throws {
        let (fixture, file, _) = try await IngestTests.submitted(2)
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())
        let path = fixture.archive.location(file.archivePath)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var changed = original
        changed[changed.startIndex + 100] ^= 0x01
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try changed.write(to: URL(fileURLWithPath: path))
        let broken = try await AuditReport.verify(fixture.store, archive: fixture.archive, key: nil)
        #expect(!broken.holds)
        await alerts.auditVerified(broken, at: Date())
        let raised = try #require(try await fixture.store.alerts(openOnly: true, code: .auditVerificationFailed, limit: 10).first)
        #expect(raised.severity == .critical && raised.summary.contains(file.name), "\(raised.summary)")
        try original.write(to: URL(fileURLWithPath: path))
        let holding = try await AuditReport.verify(fixture.store, archive: fixture.archive, key: nil)
        #expect(holding.holds)
        await alerts.auditVerified(holding, at: Date())
        #expect(try await fixture.store.alerts(openOnly: true, code: .auditVerificationFailed, limit: 10).isEmpty)
    }
}
