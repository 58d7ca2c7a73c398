import Foundation
import Hummingbird
import Payments
import Synchronization
import Testing
import TestSupport

/// `metl audit verify` through the real binary, after the demo's lifecycle (payments, a cutoff, the
/// bank's acknowledgement and returns, an operator), and after each way someone with the database
/// file could tamper with it: each is caught, exit 1, naming what differs.
@Suite struct AuditCLITests {
    struct Ledger {
        let directory: String
        var database: String { directory + "/metl.sqlite" }
        var environment: [String: String] {
            ["METL_DATABASE": database, "METL_DESTINATION": "file://\(directory)/outbox", "METL_ODFI_ROUTING": "121042882",
             "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "METL DEMO BANK", "METL_DESTINATION_NAME": "FEDERAL RESERVE BANK",
             "METL_CLOCK": CLI.demoClock, "METL_AUDIT_KEY_FILE": directory + "/audit.key", "METL_OPERATOR": "root"]
        }

        /// The demo's lifecycle on a new database.
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-audit-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory + "/outbox", withIntermediateDirectories: true)
            try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                .write(toFile: directory + "/audit.key", atomically: true, encoding: .utf8)
            try "correct horse battery\n".write(toFile: directory + "/password", atomically: true, encoding: .utf8)
            for arguments in [["operators", "add", "root", "--role", "admin,operator", "--password-file", directory + "/password"],
                              ["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME"],
                              ["merchants", "fund", "acme", "10000000"],
                              ["payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme"],
                              ["cutoff"], ["ingest", "fixtures/inbound/ack-accepted.txt"], ["ingest", "fixtures/inbound/returns.ach"]] {
                let result = try metl(arguments)
                #expect(result.status == 0 || arguments.first == "ingest", "\(arguments) \(result.stderr)")
            }
        }

        func metl(_ arguments: [String], extra: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(arguments, environment: environment.merging(extra) { $1 })
        }

        /// `metl audit verify --json`: its exit status and report.
        func verify(_ extra: [String] = []) throws -> (status: Int32, report: [String: Any]) {
            let result = try metl(["audit", "verify", "--json"] + extra)
            return (result.status, (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:])
        }

        static func findings(_ report: [String: Any]) -> [String] {
            ((report["chain"] as? [String: Any])?["findings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        }

        func tamper(_ statements: String...) async throws {
            for statement in statements { try await TemporaryDatabase.tamper(databaseAt: database, statement) }
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test func aFullLifecycleVerifiesAndItsExportChecksWithoutTheDatabase() throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let (status, report) = try ledger.verify()
        #expect(status == 0 && report["holds"] as? Bool == true, "\(report)")
        let chain = try #require(report["chain"] as? [String: Any])
        #expect((chain["entries"] as? Int ?? 0) > 10 && (chain["rows"] as? Int ?? 0) > 20)
        #expect((report["checkpoint"] as? [String: Any])?["signed_by_this_key"] as? Bool == true, "the cutoff and ingest runs signed the head")
        #expect(report["files_checked"] as? Int == 3)
        _ = try ledger.metl(["reconcile"])
        #expect(try ledger.metl(["webhooks", "work", "--drain", "--drain-timeout", "2s"]).status == 0)
        let log = try ledger.metl(["audit", "log", "--action", "job_ended"])
        for run in ["cutoff: exit 0", "ingest: exit", "reconcile: exit", "webhooks work: exit 0"] {
            #expect(log.status == 0 && log.stdout.contains(run), "\(run): \(log.stdout)")
        }
        #expect(try ledger.verify().status == 0, "the runs' own entries hold too")
        // A change that writes no history still names who made it: the operator the command acted as.
        let added = try ledger.metl(["audit", "log", "--action", "merchant_added", "--json"])
        let entries = try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [[String: Any]]
        #expect(entries?.count == 1 && entries?.first?["actor"] as? String == "root", "\(added.stdout)")

        let export = ledger.directory + "/excerpt.jsonl"
        #expect(try ledger.metl(["audit", "export", "--since", "2026-01-01", "--until", "2030-01-01", export]).status == 0)
        let checked = try ledger.metl(["audit", "verify-export", export])
        #expect(checked.status == 0 && checked.stdout.contains("hold, chained to checkpoint"), "\(checked.stdout)\(checked.stderr)")
        // One byte of one entry changed, and the excerpt no longer checks.
        let text = try String(contentsOfFile: export, encoding: .utf8)
        try text.replacingOccurrences(of: "\"actor\":\"root\"", with: "\"actor\":\"mallory\"").write(toFile: export, atomically: true, encoding: .utf8)
        let forged = try ledger.metl(["audit", "verify-export", export])
        #expect(forged.status == 1 && forged.stdout.contains("BROKEN"), "\(forged.stdout)")
    }

    @Test func aHistoryRowChangedBehindMetlsBackIsCaught() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        try await ledger.tamper("DROP TRIGGER payment_history_no_update",
                                "UPDATE payment_history SET reason_text = 'all fine' WHERE id = (SELECT max(id) FROM payment_history)")
        let (status, report) = try ledger.verify()
        #expect(status == 1 && Ledger.findings(report) == ["changed_rows"], "\(report)")
        let plain = try ledger.metl(["audit", "verify"])
        #expect(plain.stdout.contains("BROKEN changed_rows at entry"), "\(plain.stdout)")
    }

    @Test func theLastEntriesDeletedAreCaughtAndAHeadRewrittenToMatchIsCaughtByTheCheckpoint() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        try await ledger.tamper("DROP TRIGGER audit_log_no_delete",
                                "DELETE FROM audit_log WHERE sequence > (SELECT max(sequence) - 2 FROM audit_log)")
        #expect(Ledger.findings(try ledger.verify().report) == ["head_mismatch"])
        try await ledger.tamper("UPDATE audit_head SET sequence = (SELECT max(sequence) FROM audit_log), hash = (SELECT hash FROM audit_log ORDER BY sequence DESC LIMIT 1)")
        let (status, report) = try ledger.verify()
        #expect(status == 1 && Ledger.findings(report) == ["truncated"], "a log cut back past the signed checkpoint: \(report)")
    }

    @Test func twoEntriesSwappedAreCaught() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        try await ledger.tamper("DROP TRIGGER audit_log_no_update",
                                "UPDATE audit_log SET sequence = 1000000 WHERE sequence = 3",
                                "UPDATE audit_log SET sequence = 3 WHERE sequence = 4",
                                "UPDATE audit_log SET sequence = 4 WHERE sequence = 1000000")
        let (status, report) = try ledger.verify()
        #expect(status == 1 && Ledger.findings(report) == ["broken_chain"], "\(report)")
    }

    @Test func anArchivedFileAlteredIsCaught() throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let archived = try #require(FileManager.default.enumerator(atPath: ledger.directory + "/archive/outbound")?
            .compactMap { $0 as? String }.first { $0.hasSuffix(".ach") })
        let path = ledger.directory + "/archive/outbound/" + archived
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[100] = bytes[100] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try bytes.write(to: URL(fileURLWithPath: path))
        let (status, report) = try ledger.verify()
        #expect(status == 1 && Ledger.findings(report).isEmpty, "the chain holds; the archive does not")
        #expect((report["file_findings"] as? [String])?.first?.contains("has SHA-256") == true, "\(report)")
    }

    @Test func aCheckpointFromALongerLogIsPresentedToAShorterOne() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let longer = ledger.directory + "/longer.json"
        let signed = try ledger.metl(["audit", "checkpoint", "--json"])
        #expect(signed.status == 0)
        try signed.stdout.write(toFile: longer, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: ledger.directory + "/archive/audit")
        try await ledger.tamper("DROP TRIGGER audit_log_no_delete",
                                "DELETE FROM audit_log WHERE sequence > (SELECT max(sequence) - 1 FROM audit_log)",
                                "UPDATE audit_head SET sequence = (SELECT max(sequence) FROM audit_log), hash = (SELECT hash FROM audit_log ORDER BY sequence DESC LIMIT 1)")
        #expect(try ledger.verify().status == 0, "without the checkpoint the shorter log is consistent")
        let (status, report) = try ledger.verify(["--since-checkpoint", longer])
        #expect(status == 1 && Ledger.findings(report) == ["truncated"], "\(report)")
    }

    @Test func aCheckpointFileThatIsNotOneOrIsForgedIsRefusedAndChangesNothing() throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let garbage = ledger.directory + "/garbage.json"
        try Data([0x00, 0xFF, 0x7B, 0x22]).write(to: URL(fileURLWithPath: garbage))
        let unreadable = try ledger.metl(["audit", "verify", "--since-checkpoint", garbage])
        #expect(unreadable.status != 0 && unreadable.status != 1 && unreadable.stderr.contains("is not a metl audit checkpoint"),
                "\(unreadable.status) \(unreadable.stderr)")
        // A checkpoint whose hash was changed after signing: the signature no longer holds, and the hash matches no entry.
        let signed = try ledger.metl(["audit", "checkpoint", "--json"])
        var checkpoint = try #require(try JSONSerialization.jsonObject(with: Data(signed.stdout.utf8)) as? [String: Any])
        checkpoint["hash"] = String(repeating: "a", count: 64)
        let forged = ledger.directory + "/forged.json"
        try JSONSerialization.data(withJSONObject: checkpoint).write(to: URL(fileURLWithPath: forged))
        let (status, report) = try ledger.verify(["--since-checkpoint", forged])
        #expect(status == 1 && Ledger.findings(report) == ["checkpoint_mismatch"], "\(report)")
        #expect((report["file_findings"] as? [String])?.contains { $0.contains("the signature does not hold") } == true, "\(report)")
        #expect(try ledger.verify().status == 0, "the log itself is as it was")
    }

    @Test func everySignedCheckpointIsAlsoSentToTheConfiguredReceiver() async throws {
        let ledger = try Ledger()
        defer { ledger.remove() }
        let received = Mutex<[Data]>([])
        let router = Router()
        router.post("/checkpoints") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 65_536)
            received.withLock { $0.append(Data(buffer: body)) }
            return .noContent
        }
        let server = await LoopbackServer.start(router)
        let url = ["METL_AUDIT_CHECKPOINT_URL": "http://127.0.0.1:\(server.port)/checkpoints"]
        // Off the cooperative pool: the receiver answering metl needs a thread of it while metl runs.
        let environment = ledger.environment
        func metl(_ arguments: [String]) async throws -> CLI.Result {
            try await CLI.detached(arguments, environment: environment.merging(url) { $1 })
        }
        #expect(try await metl(["audit", "checkpoint"]).status == 0)
        #expect(try await metl(["cutoff"]).status == 0)
        let checkpoints = received.withLock { $0 }.compactMap { try? JSONDecoder().decode(AuditCheckpoint.self, from: $0) }
        #expect(checkpoints.count == 2 && checkpoints.allSatisfy { $0.isValid() })
        #expect(checkpoints.map(\.sequence) == checkpoints.map(\.sequence).sorted() && checkpoints.first?.sequence != checkpoints.last?.sequence)
        await server.stop()
        let refused = try ledger.metl(["audit", "checkpoint"], extra: url)
        #expect(refused.status != 0 && refused.stderr.contains("checkpoint"), "an unreachable receiver is said: \(refused.stderr)")
    }
}
