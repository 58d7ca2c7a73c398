import Foundation
import Logging
import Payments
import Pipeline
import Testing
import TestSupport

/// `IngestJob.retry`: a quarantined bank file applied again once its cause is fixed, through every
/// check again, with who asked in the inbound ledger.
struct InboundRetryTests {
    @Test func anAcknowledgementQuarantinedBeforeItsFileWasSentAppliesOnRetryAfterTheUpload() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        // The upload fails (the outbox is a plain file): the file stays rendered, not yet sent.
        let outbox = fixture.database.directory.appendingPathComponent("outbox").path
        try "not a directory".write(toFile: outbox, atomically: true, encoding: .utf8)
        _ = try? await fixture.job(LocalDirectoryDestination(directory: outbox), window: .seconds(1)).run()
        let rendered = try #require(try await fixture.store.outboundFiles(statuses: [.rendered]).first)

        // The bank's acknowledgement of that file arrives first: it matches nothing sent, so it is quarantined.
        let job = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger())
        let ack = BankFileFixtures.acknowledgement(of: rendered, form: .raw)
        let quarantined = try await job.ingest(ack, name: "ack.txt", source: "test")
        #expect(quarantined.status == .quarantined)
        #expect(quarantined.reason?.contains("matches no file we sent") == true)

        // Retrying before the cause is fixed runs the same check and quarantines it again, saying who asked.
        let early = try await job.retry(inboundID: quarantined.id, by: "ops-anna")
        #expect(early.status == .quarantined)
        var recorded = try #require(try await fixture.store.inboundFiles().first)
        #expect(recorded.notes.count == 1 && recorded.notes[0].contains("retried by ops-anna") && recorded.notes[0].contains("quarantined again"))
        #expect(try await fixture.payments(.submittedToCore).count == 0)

        // The operator fixes the outbox; the cutoff sends the file; the retry applies the acknowledgement.
        try FileManager.default.removeItem(atPath: outbox)
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        _ = try await fixture.job(LocalDirectoryDestination(directory: outbox)).run()
        let applied = try await job.retry(inboundID: quarantined.id, by: "ops-anna")
        #expect(applied.status == .processed && applied.applied == 3)
        #expect(try await fixture.payments(.processing).count == 3)
        recorded = try #require(try await fixture.store.inboundFiles().first)
        #expect(recorded.status == .processed && recorded.reason == nil)
        #expect(recorded.notes.last?.contains("retried by ops-anna") == true)
        #expect(try await fixture.store.inboundFiles().count == 1)
        // Each history row names the acknowledgement it came from.
        let payment = try #require(try await fixture.payments(.processing).first)
        #expect(try await fixture.store.history(paymentID: payment.id).last?.source?.file == "inbound:\(quarantined.id)")

        // A processed file is not retried, and an unknown id is not found.
        await #expect { try await job.retry(inboundID: quarantined.id, by: "ops-anna") } throws: { ($0 as? PipelineError)?.code == .invalidStatus }
        await #expect { try await job.retry(inboundID: "inb_nothing", by: "ops-anna") } throws: { ($0 as? PipelineError)?.code == .notFound }
    }
}
