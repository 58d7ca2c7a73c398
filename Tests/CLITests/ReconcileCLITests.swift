import Foundation
import Testing
import TestSupport

/// `metl reconcile` keeps what the bank has apart from what it does not: a file the cutoff rendered
/// but could not deliver is listed as not sent, never under the sent amounts.
@Suite struct ReconcileCLITests {
    @Test func aFileThatCouldNotBeDeliveredIsListedAsNotSent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-reconcile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A bank server that refuses every connection: the cutoff renders, retries, and stops at its window.
        let environment = ["METL_DATABASE": "\(directory)/metl.sqlite", "METL_CLOCK": CLI.demoClock, "METL_ODFI_ROUTING": "121042882",
                           "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK",
                           "METL_DESTINATION": "sftp://metl@127.0.0.1:1/in", "METL_KNOWN_HOSTS": "/dev/null", "METL_SFTP_PASSWORD": "x"]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)
        let missed = try metl("cutoff", "--window", "2s")
        #expect(missed.status == 7)
        // Monday 14:30 on the demo clock: the schedule's next ACH cutoff (no profiles: 17:30 here) resumes it.
        #expect(missed.stderr.contains("(the next scheduled run: 2026-11-23 17:30 "), "\(missed.stderr)")

        let text = try metl("reconcile")
        #expect(text.stdout.contains("NOT SENT ") && text.stdout.contains(" rendered: 6 entries"), "\(text.stdout)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(metl("reconcile", "--json").stdout.utf8)) as? [String: Any])
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.count == 1 && files[0]["sent"] as? Bool == false && files[0]["status"] as? String == "rendered")

        // Each refused connection is on the file: when, and what failed.
        let listed = try #require(try metl("files", "list", "--json").listed?.first)
        let failures = try #require(listed["delivery_failures"] as? [[String: Any]])
        #expect(!failures.isEmpty)
        #expect(failures.allSatisfy { ($0["error"] as? String)?.isEmpty == false && $0["at"] is String }, "\(failures)")
        let id = try #require(listed["id"] as? String)
        let shown = try metl("files", "show", id)
        #expect(shown.stdout.contains("failed delivery tr"), "\(shown.stdout)")
        #expect(try metl("files", "list").stdout.contains(failures.last?["error"] as? String ?? "?"))
    }
}
