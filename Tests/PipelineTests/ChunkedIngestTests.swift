import BankFiles
import Foundation
import Logging
import Payments
import Pipeline
import Synchronization
import Testing
import TestSupport

/// Large bank files applied a chunk of payments per transaction: decided whole, each payment changed
/// once, and a run that dies midway resumed by the next ingest of the same bytes.
@Suite struct ChunkedIngestTests {
    /// Six payments sent, a return file for all of them, and the countdown that makes the
    /// state-update fault point fail.
    static func sixReturned() async throws -> (CutoffFixture, Countdown, [(payment: Payment, binding: FileBinding)], [UInt8]) {
        let failOnHit = Countdown()
        let fixture = try await CutoffFixture(payments: 6, faults: FaultInjector { point in
            point == .afterStateUpdate && failOnHit.hit()
        })
        let outbox = fixture.database.directory.appendingPathComponent("outbox").path
        _ = try await fixture.job(LocalDirectoryDestination(directory: outbox)).run()
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        let bound = try await fixture.store.filePayments(fileID: file.id)
        return (fixture, failOnHit, bound, try BankFileFixtures.returns(bound.map { ($0.payment, $0.binding.traceNumber, "R01") }))
    }

    @Test func aRunKilledBetweenChunksIsResumedAndEveryPaymentChangesOnce() async throws {
        let (fixture, failOnHit, bound, returns) = try await Self.sixReturned()
        let job = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger(), chunkSize: 2)

        // The second chunk's transaction fails: the first stays applied, the file is left applying.
        failOnHit.set(2)
        await #expect(throws: PipelineError.self) { try await job.ingest(returns, name: "returns.ach", source: "test") }
        let states = try await fixture.store.payments(ids: bound.map(\.payment.id))
        #expect(states.values.filter { $0.state == .failed }.count == 2)
        #expect(states.values.filter { $0.state == .submittedToCore }.count == 4)
        let left = try #require(try await fixture.store.inboundFiles().first)
        #expect(left.status == .applying && left.appliedEvents == 2)

        // The same bytes again: recorded as a copy, and the first file resumed where it stopped.
        failOnHit.set(nil)
        let outcome = try await job.ingest(returns, name: "returns.ach", source: "test")
        #expect(outcome.id == left.id && outcome.status == .processed)
        #expect(outcome.applied == 12, "an implied acknowledgement and the return for each of 6 payments")
        #expect(try await fixture.store.inboundFiles().map(\.status).sorted { $0.rawValue < $1.rawValue } == [.duplicate, .processed])
        for (payment, _) in bound {
            let history = try await fixture.store.history(paymentID: payment.id)
            #expect(history.filter { $0.toState == .failed }.count == 1, "\(payment.id) returned once")
        }
        // Once processed, the same bytes are only a duplicate.
        #expect(try await job.ingest(returns, name: "returns.ach", source: "test").status == .duplicate)
    }

    @Test func aRunResumedWithAnotherChunkSizeAppliesEachEventOnce() async throws {
        let (fixture, failOnHit, bound, returns) = try await Self.sixReturned()
        failOnHit.set(2)
        let first = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger(), chunkSize: 4)
        await #expect(throws: PipelineError.self) { try await first.ingest(returns, name: "returns.ach", source: "test") }
        #expect(try #require(try await fixture.store.inboundFiles().first).appliedEvents == 4)

        // Pieces of 3 now: the first is behind the resume point, the second straddles it.
        failOnHit.set(nil)
        let second = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger(), chunkSize: 3)
        let outcome = try await second.ingest(returns, name: "returns.ach", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 12)
        for (payment, _) in bound {
            let history = try await fixture.store.history(paymentID: payment.id)
            #expect(history.filter { $0.toState == .failed }.count == 1, "\(payment.id) returned once")
        }
    }

    @Test func aPaymentNamedTwiceInPiecesOfOneIsPlannedOnWhatTheFirstLeft() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let outbox = fixture.database.directory.appendingPathComponent("outbox").path
        _ = try await fixture.job(LocalDirectoryDestination(directory: outbox)).run()
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        let bound = try await fixture.store.filePayments(fileID: file.id)
        // Read ahead of the write before it, the second piece starts from a stale payment: the store refuses it and it is read again.
        let named = [bound[0], bound[0], bound[1]]
        let returns = try BankFileFixtures.returns(named.map { ($0.payment, $0.binding.traceNumber, "R01") })
        let job = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger(), chunkSize: 1)
        let outcome = try await job.ingest(returns, name: "returns.ach", source: "test")
        #expect(outcome.status == .processed)
        #expect(outcome.applied == 4, "an implied acknowledgement and a return for each of two payments; the repeat changes nothing")
        let history = try await fixture.store.history(paymentID: bound[0].payment.id)
        #expect(history.filter { $0.toState == .failed }.count == 1)
        #expect(try await fixture.store.payment(id: bound[2].payment.id).state == .submittedToCore)
    }

    @Test func aFileWhoseLastChunkCannotApplyIsQuarantinedWithNothingApplied() async throws {
        let fixture = try await CutoffFixture(payments: 5)
        let outbox = fixture.database.directory.appendingPathComponent("outbox").path
        _ = try await fixture.job(LocalDirectoryDestination(directory: outbox)).run()
        let payments = try await fixture.store.payments(PaymentQuery())
        let lines = ["LINES-ACK"] + payments.map(\.id) + ["pay_unknown"]
        let job = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger(),
                            processors: [LineAcknowledgementProcessor()], chunkSize: 2)
        let outcome = try await job.ingest(Array(lines.joined(separator: "\n").utf8), name: "acks.txt", source: "test")
        #expect(outcome.status == .quarantined && outcome.reason?.contains("pay_unknown") == true)
        #expect(try await fixture.store.payments(PaymentQuery()).allSatisfy { $0.state == .submittedToCore })

        // Without the stranger the same payments go through in three chunks.
        let good = try await job.ingest(Array(lines.dropLast().joined(separator: "\n").utf8), name: "acks-2.txt", source: "test")
        #expect(good.status == .processed && good.applied == 5)
        #expect(try await fixture.store.payments(PaymentQuery()).allSatisfy { $0.state == .processing })
    }
}

/// A fault that fires on the n-th hit after it is set, and never while unset.
final class Countdown: Sendable {
    private let remaining = Mutex<Int?>(nil)

    func set(_ hits: Int?) { remaining.withLock { $0 = hits } }

    func hit() -> Bool {
        remaining.withLock { remaining in
            guard let left = remaining else { return false }
            remaining = left - 1
            return left == 1
        }
    }
}
