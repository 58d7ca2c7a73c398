import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// Job metrics files for node_exporter's textfile collector and `/metrics`, both checked by
/// `promtool check metrics` (Debian's `prometheus`); JSON log lines.
@Suite struct MetricsCLITests {
    static func promtool(_ text: String) throws -> (status: Int32, output: String) {
        let result = try Spawn.run("/usr/bin/promtool", ["check", "metrics"], environment: ProcessInfo.processInfo.environment, directory: nil,
                                   stdin: Data(text.utf8))
        return (result.status, String(decoding: result.stdout + result.stderr, as: UTF8.self))
    }

    @Test func aJobWritesItsMetricsFileAtomicallyAndKeepsTheLastSuccess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bank", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/metl_cutoff.prom"
        var environment = ["METL_DATABASE": directory + "/metl.sqlite", "METL_DESTINATION": "file://\(directory)/bank",
                           "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "METL TEST",
                           "METL_DESTINATION_NAME": "FED", "METL_CLOCK": CLI.demoClock, "METL_LOG_FORMAT": "json"]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)
        let sent = try metl("cutoff", "--metrics-file", file)
        #expect(sent.status == 0, "\(sent.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("metl_job_success{job=\"cutoff\"} 1") && text.contains("metl_job_payments_submitted{job=\"cutoff\"} "), "\(text)")
        let success = try #require(text.split(separator: "\n").first { $0.hasPrefix("metl_job_last_success_timestamp_seconds") })
        let check = try Self.promtool(text)
        #expect(check.status == 0, "\(check.output)")
        // Every log line is one JSON object with time, level, logger and message.
        for line in sent.stderr.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["time"] is String && object["level"] is String && object["logger"] is String && object["message"] is String)
        }
        // A failed run: its own end and outcome, the last success kept from the run before.
        environment["METL_DESTINATION"] = "file:///dev/null/bank"
        environment["METL_CUTOFF_WINDOW"] = "3s"
        let document = #"{"amount": 1000, "direction": "credit", "sec_code": "PPD", "description": "PAYROLL", "effective_date": "2026-11-24", "counterparty": {"name": "JANE DOE", "routing_number": "121042882", "account_number": "12345678", "account_type": "checking"}}"#
        let created = try CLI.run(["payments", "create", "--merchant", "acme", "--idempotency-key", UUID().uuidString.lowercased(), "--json", "-"],
                                  environment: environment, stdin: Data(document.utf8))
        #expect(created.status == 0, "\(created.stderr)")
        // An ingest's file names what it read (this acknowledgement is of another file: quarantined, exit 1, counted).
        let ingested = directory + "/metl_ingest.prom"
        #expect(try metl("ingest", "fixtures/inbound/ack-accepted.txt", "--metrics-file", ingested).status == 1)
        let ingest = try String(contentsOfFile: ingested, encoding: .utf8)
        #expect(ingest.contains("metl_job_files{job=\"ingest\"} 1") && ingest.contains("metl_job_files_quarantined{job=\"ingest\"} 1")
                && ingest.contains("metl_job_success{job=\"ingest\"} 0"), "\(ingest)")
        #expect(try Self.promtool(ingest).status == 0)
        let failed = try metl("cutoff", "--metrics-file", file)
        #expect(failed.status != 0)
        let after = try String(contentsOfFile: file, encoding: .utf8)
        #expect(after.contains("metl_job_success{job=\"cutoff\"} 0"), "\(after)")
        #expect(after.split(separator: "\n").contains(success), "the last success stays: \(after)")
        #expect(try Self.promtool(after).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }.isEmpty)

        // The format as a flag, anywhere on the line, over the variable; anything but text or json is a usage error.
        environment["METL_LOG_FORMAT"] = "text"
        let flagged = try metl("--log-format", "json", "cutoff")
        // The logs are JSON; the command's own last word (`metl: …`) stays a line for a person.
        let logged = flagged.stderr.split(separator: "\n").filter { !$0.hasPrefix("metl: ") }
        #expect(flagged.status != 0 && !logged.isEmpty, "\(flagged.stderr)")
        for line in logged {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
        let wrong = try metl("cutoff", "--log-format=yaml")
        #expect(wrong.status == 2 && wrong.stderr.contains("must be text or json"), "\(wrong.stderr)")

        // Reconcile and webhook work count what they saw.
        let reconciled = directory + "/metl_reconcile.prom"
        _ = try metl("reconcile", "--metrics-file", reconciled)
        let reconcile = try String(contentsOfFile: reconciled, encoding: .utf8)
        #expect(reconcile.contains("metl_job_files_sent{job=\"reconcile\"} 1") && reconcile.contains("metl_job_payments_stuck{job=\"reconcile\"} ")
                && reconcile.contains("metl_job_files_not_sent{job=\"reconcile\"} 1"), "\(reconcile)")
        #expect(try Self.promtool(reconcile).status == 0)
        let worked = directory + "/metl_webhooks.prom"
        #expect(try metl("webhooks", "work", "--drain", "--drain-timeout", "1s", "--metrics-file", worked).status == 0)
        let work = try String(contentsOfFile: worked, encoding: .utf8)
        #expect(work.contains("metl_job_deliveries_attempted{job=\"webhooks work\"} 0") && work.contains("metl_job_success{job=\"webhooks work\"} 1"),
                "\(work)")
        #expect(try Self.promtool(work).status == 0)
    }

    @Test func theServersMetricsPassPromtool() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/metl.sqlite"
        #expect(try CLI.run(["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME", "--database", database]).status == 0)
        let server = try ServeProcess.start(CLI.binary, database: database)
        defer { server.stop() }
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/metrics")!)
        let text = String(decoding: body, as: UTF8.self)
        for gauge in ["metl_webhook_deliveries_pending", "metl_webhook_dead_letters", "metl_outbound_files_unsent{status=\"awaiting_approval\"}",
                      "metl_check_exceptions_open", "metl_bank_files_quarantined", "metl_alerts_open{severity=\"critical\"}"] {
            #expect(text.contains(gauge), "\(gauge) in \(text)")
        }
        let check = try Self.promtool(text)
        #expect(check.status == 0, "\(check.output)")
    }
}
