import Foundation
import NACHA
import Payments
import SQLiteStore
import Testing
import TestSupport

/// The demo's whole lifecycle through the executable: import → cutoff (fixed clock) → the bank's
/// files from fixtures/inbound → every payment P_COMPLETED or P_FAILED. The inbound fixtures are
/// written by this test (METL_WRITE_FIXTURES=1) from the file the cutoff produced, and checked otherwise.
@Suite(.serialized) struct LifecycleTests {
    static let inbound = CLI.root.appendingPathComponent("fixtures/inbound")
    static let writing = ProcessInfo.processInfo.environment["METL_WRITE_FIXTURES"] == "1"

    static func check(_ name: String, _ bytes: [UInt8]) throws {
        let url = inbound.appendingPathComponent(name)
        if writing {
            try FileManager.default.createDirectory(at: inbound, withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        #expect(try [UInt8](Data(contentsOf: url)) == bytes, "\(name) is stale; regenerate with make fixtures")
    }

    /// The members of a `--json` document that break the naming rule (snake_case: lower-case words
    /// joined by `_`) or write a trace number as anything but a string. Metadata keys are the
    /// merchant's own, so what is inside `metadata` is not ours to name.
    static func misnamedMembers(of value: Any, at path: String, count: inout Int) -> [String] {
        if let array = value as? [Any] {
            return array.enumerated().flatMap { misnamedMembers(of: $0.element, at: "\(path)[\($0.offset)]", count: &count) }
        }
        guard let object = value as? [String: Any] else { return [] }
        var misnamed: [String] = []
        for (key, member) in object.sorted(by: { $0.key < $1.key }) {
            count += 1
            if key.wholeMatch(of: #/[a-z][a-z0-9]*(_[a-z0-9]+)*/#) == nil { misnamed.append("\(path).\(key)") }
            if key == "trace_number", !(member is String || member is NSNull) { misnamed.append("\(path).\(key) is not a string") }
            if key != "metadata" { misnamed += misnamedMembers(of: member, at: "\(path).\(key)", count: &count) }
        }
        return misnamed
    }

    @Test func demoLifecycleWithProjectFixtures() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-life-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("metl.sqlite").path
        // The same settings scripts/demo.sh uses.
        let environment = [
            "METL_DATABASE": database, "METL_DESTINATION": "file://\(directory.path)/outbox",
            "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
            "METL_ORIGIN_NAME": "METL DEMO BANK", "METL_DESTINATION_NAME": "FEDERAL RESERVE BANK", "METL_CLOCK": CLI.demoClock,
        ]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "demo-merchant", "--company-id", "1234567890", "--company-name", "METL DEMO INC").status == 0)
        #expect(try metl("merchants", "fund", "demo-merchant", "1000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "demo-merchant").status == 0)
        #expect(try metl("cutoff").status == 0)

        let store = try SQLiteStore(path: database)
        let file = try #require(try await store.outboundFiles(statuses: [.uploaded]).first)
        #expect(file.name == "ACH_121042882_20261123_1430_A.ach")
        // Strict where we send: the file at the bank passes --strict, warnings included.
        #expect(try metl("validate", "--strict", "\(directory.path)/outbox/\(file.name)").status == 0)
        let bound = try await store.filePayments(fileID: file.id)
        var batches: [Int: (credit: Bool, entries: Int, total: Int64)] = [:]
        for entry in bound {
            batches[entry.binding.batchNumber, default: (entry.payment.direction == .credit, 0, 0)].entries += 1
            batches[entry.binding.batchNumber]!.total += entry.payment.amount
        }
        let date = try #require(bound.first?.binding.effectiveDate)
        let firstCredit = try #require(bound.first { $0.payment.direction == .credit })
        let firstDebit = try #require(bound.first { $0.payment.direction == .debit })
        let rejected = try #require(batches[1])

        // Every acknowledgement in both FedACH forms: reconstructed lines (.txt) and raw production pages (.ack).
        let batchRejection = [(number: 1, entries: rejected.entries, debit: rejected.credit ? Int64(0) : rejected.total,
                               credit: rejected.credit ? rejected.total : Int64(0))]
        for form in [BankFileFixtures.AckForm.lines, .raw] {
            let suffix = form == .lines ? "txt" : "ack"
            try Self.check("ack-accepted.\(suffix)", BankFileFixtures.acknowledgement(of: file, form: form))
            try Self.check("ack-batch-rejected.\(suffix)", BankFileFixtures.acknowledgement(
                of: file, status: "FILE ACCEPTED WITH BATCH LEVEL ERRORS", rejectedBatches: batchRejection, form: form))
            try Self.check("ack-file-rejected.\(suffix)", BankFileFixtures.acknowledgement(
                of: file, status: "FILE REJECTED WITH FILE LEVEL ERRORS", fileMessages: ["FH012-INVALID IMMEDIATE ORIGIN ON FILE HEADER"],
                form: form))
            try Self.check("ack-pended.\(suffix)", BankFileFixtures.acknowledgement(of: file, status: "FILE PENDED WITH FILE LEVEL ERRORS", form: form))
        }
        try Self.check("settlement.bai2", BankFileFixtures.settlement(asOf: date, details: batches.sorted { $0.key < $1.key }
            .map { (typeCode: $0.value.credit ? "466" : "165", amount: $0.value.total) }))
        try Self.check("returns.ach", BankFileFixtures.returns([(firstCredit.payment, firstCredit.binding.traceNumber, "R01")]))
        try Self.check("noc.ach", BankFileFixtures.notificationsOfChange([(firstDebit.payment, firstDebit.binding.traceNumber, "C01", "44556688")]))

        // The demo's order: acknowledgement, then settlement, a (late) return and a NOC together.
        #expect(try metl("ingest", "fixtures/inbound/ack-accepted.txt").status == 0)
        let rest = try metl("ingest", "fixtures/inbound/settlement.bai2", "fixtures/inbound/returns.ach", "fixtures/inbound/noc.ach", "--json")
        #expect(rest.status == 0, "\(rest.stdout)\(rest.stderr)")
        let payments = try await store.payments(PaymentQuery())
        #expect(payments.allSatisfy { $0.state == .completed || $0.state == .failed })
        #expect(payments.filter { $0.state == .failed }.count == 2) // the funds check and the return
        #expect(try await store.payment(id: firstCredit.payment.id).failure?.code == "R01")
        #expect(try await store.payment(id: firstDebit.payment.id).counterparty.accountNumber == "44556688")
        // A copy of a file already applied is a duplicate; a second run changes nothing.
        let again = try metl("ingest", "fixtures/inbound/returns.ach", "--json")
        #expect(again.stdout.contains("\"duplicate\"") && again.stdout.contains("\"kind\" : \"nacha\""), "a copy is what its first was read as")
        let reconcile = try metl("reconcile", "--json")
        #expect(reconcile.status == 0, "\(reconcile.stdout)")

        // The inbound ledger read back: each file and what it changed, by the inb_ id histories name.
        let listed = try metl("ingest", "list", "--status", "processed", "--json")
        let inbound = try #require(listed.listed)
        #expect(inbound.map { $0["name"] as? String } == ["ack-accepted.txt", "settlement.bai2", "returns.ach", "noc.ach"].map { "fixtures/inbound/" + $0 })
        let returnsID = try #require(inbound[2]["id"] as? String)
        #expect(inbound.allSatisfy { $0["reason"] is NSNull }, "a member without a value is null, not left out")
        let returnHistory = try await store.history(paymentID: firstCredit.payment.id)
        #expect(returnHistory.last?.source == .inboundFile(id: returnsID, line: returnHistory.last?.source?.line))
        let shown = try metl("ingest", "show", returnsID, "--json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect(document["kind"] as? String == "nacha" && document["status"] as? String == "processed" && document["archive_path"] is String)
        #expect(changes.map { $0["id"] as? String } == [firstCredit.payment.id] && changes.first?["reason_code"] as? String == "R01")
        #expect(try metl("ingest", "show", returnsID).stdout.contains("R01: Insufficient"), "the code once, then what it means")
        #expect(try metl("ingest", "list", "--status", "quarantined").stdout.contains("no inbound files quarantined"))
        let wrongCommand = try metl("files", "show", returnsID)
        #expect(wrongCommand.status == 2 && wrongCommand.stderr.contains("metl ingest show \(returnsID)"), "\(wrongCommand.stderr)")
        #expect(try metl("ingest", "show", file.id).stderr.contains("metl files show \(file.id)"))
        #expect(try metl("ingest", "show", "inb_NONE").status == 4)

        // Every command's --json names its members one way and writes a trace number as its string.
        let documents: [[String]] = [
            ["merchants", "list"], ["merchants", "keys", "list", "demo-merchant"], ["payments", "list"],
            ["payments", "show", firstCredit.payment.id], ["files", "list"], ["files", "show", file.id], ["ingest", "list"],
            ["ingest", "show", returnsID], ["ingest", "fixtures/inbound/returns.ach"], ["reconcile"],
            ["validate", "fixtures/inbound/returns.ach"], ["inspect", "fixtures/inbound/returns.ach"], ["webhooks", "events"],
            ["cutoff", "--dry-run", directory.appendingPathComponent("dry-run").path], ["migrate"], ["checks", "list"], ["checks", "exceptions"], ["checks", "accounts", "list"],
            ["webhooks", "endpoints", "list"], ["idempotency", "purge"], ["cutoff"],
        ]
        var members = 0
        for arguments in documents {
            let printed = try CLI.run(arguments + ["--json"], environment: environment)
            let command = (["metl"] + arguments).joined(separator: " ")
            let document = try #require(try? JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)), "\(command): \(printed.stdout)\(printed.stderr)")
            let misnamed = Self.misnamedMembers(of: document, at: command, count: &members)
            #expect(misnamed.isEmpty, "\(misnamed)")
        }
        #expect(members > 300, "the documents above hold more than \(members) members")

        // An inbound directory with a good file and a bad one: the bad one is quarantined, the good one
        // applied, both moved to archive/, and the exit code asks for attention.
        let inbox = directory.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try Data("garbage".utf8).write(to: inbox.appendingPathComponent("a-garbage.txt"))
        try Data(contentsOf: Self.inbound.appendingPathComponent("ack-pended.ack")).write(to: inbox.appendingPathComponent("b-pended.ack"))
        let mixed = try metl("ingest", "--from", inbox.path, "--json")
        #expect(mixed.status == 1)
        let outcomes = try JSONSerialization.jsonObject(with: Data(mixed.stdout.utf8)) as? [[String: Any]]
        #expect(outcomes?.map { $0["status"] as? String } == ["quarantined", "processed"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox.path) == ["archive"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("archive").path).sorted()
                == ["a-garbage.txt", "b-pended.ack"])
    }
}
