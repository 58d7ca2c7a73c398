import BankFiles
import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import TestSupport
import Testing

/// A kind of outbound file only these tests know: a header line, then one line per payment.
struct LinePerPaymentRenderer: PaymentFileRenderer {
    let kind = OutboundFileKind(rawValue: "test_lines")
    let archiveExtension = "txt"

    func files(from pending: [PendingPayment], at now: Date) -> [[PendingPayment]] { pending.isEmpty ? [] : [pending] }

    func payments(in file: [PendingPayment]) -> [PendingPayment] { file }

    func render(_ payments: [PendingPayment], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> RenderedFile<FileBinding> {
        let first: Int
        do { first = try await store.reserveTraceNumbers(odfi: 99_999_999, count: payments.count) } catch {
            throw PipelineError(.internal, String(describing: error))
        }
        return Self.render(payments, created: created, firstTrace: first)
    }

    func preview(_ files: [[PendingPayment]], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        files.map { Self.render($0, created: created, firstTrace: 1) }.map { ($0.file.name, $0.bytes) }
    }

    static func render(_ payments: [PendingPayment], created: Date, firstTrace: Int) -> RenderedFile<FileBinding> {
        var text = "LINES\n"
        var bindings: [FileBinding] = []
        for (index, pending) in payments.enumerated() {
            text += "\(pending.payment.id),\(pending.payment.direction.rawValue),\(pending.payment.amount)\n"
            bindings.append(FileBinding(paymentID: pending.payment.id, batchNumber: 1, traceNumber: 99_999_999 * 10_000_000 + firstTrace + index,
                                        line: index + 2))
        }
        let bytes = Array(text.utf8)
        let id = Identifier.make(prefix: "fil", at: created)
        let total = { (direction: Direction) in payments.filter { $0.payment.direction == direction }.reduce(Int64(0)) { $0 + $1.payment.amount } }
        return RenderedFile(file: OutboundFile(id: id, kind: OutboundFileKind(rawValue: "test_lines"), name: "LINES_\(id).txt",
                                               sha256: Archive.sha256(bytes), size: Int64(bytes.count), status: .rendered,
                                               entryCount: payments.count, totalDebit: total(.debit), totalCredit: total(.credit),
                                               archivePath: "", createdAt: created, updatedAt: created),
                            bytes: bytes, bindings: bindings)
    }
}

/// An inbound kind only these tests know: `LINES-ACK`, then the id of each payment acknowledged.
struct LineAcknowledgementProcessor: InboundProcessor {
    let kind = InboundKind(rawValue: "test_lines_ack")

    func recognises(_ head: [UInt8]) -> Bool { head.starts(with: Array("LINES-ACK\n".utf8)) }

    func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
              pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws {
        var pieces = InboundPieces(size: pieceSize)
        for (index, line) in String(decoding: try archive.read(path), as: UTF8.self).split(separator: "\n").enumerated().dropFirst() {
            guard line.hasPrefix("pay_") else { throw InboundQuarantine(reason: "line \(index + 1) names no payment") }
            if let full = pieces.add(BankEvent(paymentID: String(line), kind: .acknowledged, source: .inboundFile(id: fileID, line: index + 1))) {
                try await body(full)
            }
        }
        try await body(pieces.finish())
    }
}

/// Adding a file kind is a renderer and/or a processor, registered: the kinds above go through the
/// real lease, archive, exactly-once upload, file ledger and ingest registry, with no edit to the
/// cutoff or ingest.
@Suite struct FileKindRegistryTests {
    @Test func aTestOnlyKindGoesThroughTheOutboundLifecycleAndTheIngestRegistry() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let remote = fixture.database.directory.appendingPathComponent("bank").path
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        let settings = CutoffJob.Settings(renderers: [LinePerPaymentRenderer()], destination: LocalDirectoryDestination(directory: remote),
                                          archive: fixture.archive)
        let job = CutoffJob(settings: settings, store: fixture.store, logger: TestLog.logger())
        let summary = try await job.run()
        #expect(summary.filesRendered == 1 && summary.filesUploaded == 1 && summary.paymentsSubmitted == 3)

        let files = try await fixture.store.outboundFiles(statuses: nil)
        let file = try #require(files.first)
        #expect(files.count == 1)
        #expect(file.kind == OutboundFileKind(rawValue: "test_lines"))
        #expect(file.status == .uploaded && file.nacha == nil && file.entryCount == 3)
        let sent = try [UInt8](Data(contentsOf: URL(fileURLWithPath: remote + "/" + file.name)))
        #expect(!file.archivePath.hasPrefix("/"), "stored relative to the archive's root")
        #expect(sent == (try fixture.archive.read(file.archivePath)))
        #expect(Archive.sha256(sent) == file.sha256)
        let bound = try await fixture.store.filePayments(fileID: file.id)
        #expect(bound.map(\.payment.state) == [.submittedToCore, .submittedToCore, .submittedToCore])
        #expect(bound.map(\.binding.line) == [2, 3, 4])
        let last = try await fixture.store.history(paymentID: bound[1].payment.id).last
        #expect(last?.source == .outboundFile(id: file.id, line: 3))

        // A second run sends nothing again.
        let again = try await job.run()
        #expect(again.filesRendered == 0 && again.filesUploaded == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote) == [file.name])

        let ingest = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger(),
                               processors: IngestJob.standardProcessors + [LineAcknowledgementProcessor()])
        let ack = Array(("LINES-ACK\n" + bound.map(\.payment.id).joined(separator: "\n") + "\n").utf8)
        let applied = try await ingest.ingest(ack, name: "ack.txt", source: "test")
        #expect(applied.kind.rawValue == "test_lines_ack" && applied.status == .processed && applied.applied == 3)
        #expect(try await fixture.store.filePayments(fileID: file.id).map(\.payment.state) == [.processing, .processing, .processing])
        #expect(try await ingest.ingest(ack, name: "ack-again.txt", source: "test").status == .duplicate)
        let unknown = try await ingest.ingest(Array("LINES-ACK\npay_nobody\n".utf8), name: "bad.txt", source: "test")
        #expect(unknown.status == .quarantined)
        // The standard kinds are still told apart, and anything else is still refused.
        let other = try await ingest.ingest(Array("HELLO\n".utf8), name: "hello.txt", source: "test")
        #expect(other.kind == .unknown && other.status == .quarantined)
    }
}
