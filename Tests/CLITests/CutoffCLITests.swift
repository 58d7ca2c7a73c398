import Foundation
import Payments
import SQLiteStore
import Testing
import TestSupport

/// `metl cutoff`, `metl sftp trust` and `metl files` as an operator runs them, against a real sshd.
@Suite(.serialized) struct CutoffCLITests {
    @Test func trustThenCutoffOverSFTPThenFilesThenIngestFromSFTP() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let directory = server.directory.appendingPathComponent("metl")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let knownHosts = directory.appendingPathComponent("known_hosts").path
        let environment = [
            "METL_DATABASE": directory.appendingPathComponent("metl.sqlite").path,
            "METL_DESTINATION": "sftp://\(server.username)@127.0.0.1:\(server.port)\(server.root)",
            "METL_IDENTITY_FILE": server.clientKeyPath, "METL_KNOWN_HOSTS": knownHosts,
            "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
            "METL_ORIGIN_NAME": "METL TEST", "METL_DESTINATION_NAME": "FED", "METL_CLOCK": CLI.demoClock,
        ]
        func metl(_ arguments: String..., with extra: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(arguments, environment: environment.merging(extra) { $1 })
        }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)

        // A missing setting: exit 8 before anything is collected.
        let missing = try metl("cutoff", with: ["METL_ODFI_ROUTING": ""])
        #expect(missing.status == 8)
        #expect(missing.stderr.contains("--odfi-routing"))

        // With --json (what the units and metl-cron log) the refusal is a document too.
        let missingJSON = try metl("cutoff", "--json", with: ["METL_ODFI_ROUTING": ""])
        #expect(missingJSON.status == 8)
        let refusal = try JSONSerialization.jsonObject(with: Data(missingJSON.stdout.utf8)) as? [String: Any]
        let refused = refusal?["error"] as? [String: Any]
        #expect(refused?["code"] as? String == "missing_value" && refused?["exit_status"] as? Int == 8, "\(missingJSON.stdout)")
        #expect((refused?["message"] as? String)?.contains("--odfi-routing") == true)

        // An untrusted server: exit 8, its fingerprint shown, nothing sent; with --json, why the run stopped.
        let untrusted = try metl("cutoff")
        #expect(untrusted.status == 8)
        #expect(untrusted.stderr.contains("SHA256:"))
        let stoppedJSON = try metl("cutoff", "--json")
        #expect(stoppedJSON.status == 8)
        let stoppedRun = try JSONSerialization.jsonObject(with: Data(stoppedJSON.stdout.utf8)) as? [String: Any]
        let stopped = stoppedRun?["error"] as? [String: Any]
        #expect(stopped?["code"] as? String == "configuration" && stopped?["exit_status"] as? Int == 8, "\(stoppedJSON.stdout)")
        // The summary of what the run did before it stopped, with the error: the file it rendered, not sent.
        #expect(stoppedRun?["files_resumed"] as? Int == 1 && stoppedRun?["files_uploaded"] as? Int == 0, "\(stoppedJSON.stdout)")
        #expect((stopped?["message"] as? String)?.contains("SHA256:") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).isEmpty)

        // A wrong published fingerprint records nothing; the right one is recorded.
        #expect(try metl("sftp", "trust", "127.0.0.1:\(server.port)", "--fingerprint", "SHA256:wrong").status == 5)
        let trusted = try metl("sftp", "trust", "127.0.0.1:\(server.port)")
        #expect(trusted.status == 0)
        let fingerprint = try #require(trusted.stdout.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("SHA256:") })
        #expect(untrusted.stderr.contains(fingerprint))

        let run = try metl("cutoff", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(summary?["files_resumed"] as? Int == 1)
        #expect(summary?["payments_submitted"] as? Int == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root).count == 1)

        let files = try metl("files", "list", "--json").listed
        #expect(files?.first?["status"] as? String == "uploaded")
        let id = try #require(files?.first?["id"] as? String)
        let shown = try JSONSerialization.jsonObject(with: Data(try metl("files", "show", id, "--json").stdout.utf8)) as? [String: Any]
        #expect((shown?["payments"] as? [[String: Any]])?.count == 6)
        #expect(try metl("files", "cancel", id).status == 5)
        #expect(try metl("payments", "list", "--state", "P_SUBMITTED_TO_CORE", "--json").stdout.components(separatedBy: "\"id\"").count == 7)

        // The bank answers in an inbound directory on the same server: ingested, then moved to archive/ there.
        let store = try SQLiteStore(path: environment["METL_DATABASE"]!)
        let sent = try await store.outboundFile(id: id)
        let inbound = server.root + "/inbound"
        try FileManager.default.createDirectory(atPath: inbound, withIntermediateDirectories: true)
        try Data(BankFileFixtures.acknowledgement(of: sent, form: .raw)).write(to: URL(fileURLWithPath: inbound + "/ACHFAHK.ack"))
        let ingest = try metl("ingest", "--from", "sftp://\(server.username)@127.0.0.1:\(server.port)\(inbound)")
        #expect(ingest.status == 0, "\(ingest.stdout)\(ingest.stderr)")
        #expect(try await store.payments(PaymentQuery(state: .processing)).count == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbound + "/archive") == ["ACHFAHK.ack"])
        #expect(!FileManager.default.fileExists(atPath: inbound + "/ACHFAHK.ack"))
    }

    @Test func dryRunWritesValidFilesAndChangesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-dry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let environment = [
            "METL_DATABASE": directory.appendingPathComponent("metl.sqlite").path,
            "METL_DESTINATION": "file://\(directory.path)/outbox",
            "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
            "METL_ORIGIN_NAME": "METL TEST", "METL_DESTINATION_NAME": "FED", "METL_CLOCK": CLI.demoClock,
        ]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        _ = try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME")
        _ = try metl("merchants", "fund", "acme", "10000000")
        _ = try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme")
        let dry = directory.appendingPathComponent("dry").path
        #expect(try metl("cutoff", "--dry-run", dry).status == 0)
        let written = try FileManager.default.contentsOfDirectory(atPath: dry)
        #expect(written.count == 1)
        #expect(try metl("validate", "--strict", dry + "/" + written[0]).status == 0, "what metl writes passes --strict")
        // --json: what was written, where, and its digest; never beside the file bytes on stdout.
        let listed = try metl("cutoff", "--dry-run", dry, "--json")
        let files = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], "\(listed.stdout)\(listed.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dry + "/" + written[0])))
        #expect(files.count == 1 && files[0]["name"] as? String == written[0] && files[0]["size"] as? Int == bytes.count)
        #expect(files[0]["sha256"] as? String == SHA256Digest.hex(bytes) && files[0]["profile"] is NSNull)
        #expect(try metl("cutoff", "--dry-run", "-", "--json").status == 2)
        #expect(try metl("files", "list", "--json").listed?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("outbox").path))
    }
}
