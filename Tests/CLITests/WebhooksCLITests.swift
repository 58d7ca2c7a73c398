import Foundation
import TestSupport
import Testing

/// Webhooks through the executables: an endpoint added with the CLI, the example receiver listening,
/// `metl webhooks work --drain` delivering, the delivery log, attempts and a replay.
@Suite(.serialized) struct WebhooksCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-webhooks-\(UUID().uuidString)")
    var database: String { directory.appendingPathComponent("metl.sqlite").path }
    let environment = ["METL_WEBHOOKS_ALLOW_PRIVATE": "true", "METL_WEBHOOKS_RETRY_SCHEDULE": "200ms,200ms",
                       "METL_CLOCK": CLI.demoClock]

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func metl(_ arguments: String..., stdin: String? = nil) throws -> CLI.Result {
        try CLI.run(arguments + ["--database", database], environment: environment, stdin: stdin.map { Data($0.utf8) })
    }

    @Test func endToEndWithTheExampleReceiver() async throws {
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        let port = try LoopbackServer.freePort()
        let added = try metl("webhooks", "endpoints", "add", "acme", "http://127.0.0.1:\(port)/webhooks", "--json")
        #expect(added.status == 0, "\(added.stderr)")
        let endpoint = try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: String])
        let secret = try #require(endpoint["secret"])
        #expect(secret.hasPrefix("whsec_"))
        // Without the private-address allowance the CLI refuses loopback targets.
        // Refused URLs are invalid input: exit 3, the reason on stderr, nothing stored.
        for url in ["http://127.0.0.1:1/x", "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/",
                    "http://example.com:0/", "http://example.com:99999/", "http://example.com/a\r\nb", "ftp://example.com/"] {
            let refused = try CLI.run(["webhooks", "endpoints", "add", "acme", url, "--database", database])
            #expect(refused.status == 3, "\(url): \(refused.stderr)")
            #expect(!refused.stderr.isEmpty)
        }
        let listed = try metl("webhooks", "endpoints", "list", "--json")
        #expect(listed.listed?.count == 1)

        let receiver = Process()
        receiver.executableURL = CLI.binary.deletingLastPathComponent().appendingPathComponent("metl-webhook-receiver")
        receiver.environment = ["METL_WEBHOOK_SECRETS": secret, "RECEIVER_PORT": String(port),
                                "RECEIVER_DATABASE": directory.appendingPathComponent("receiver.sqlite").path]
        let output = Pipe()
        receiver.standardOutput = output
        receiver.standardError = FileHandle.nullDevice
        try receiver.run()
        defer { if receiver.isRunning { receiver.terminate() } }
        try await Task.sleep(for: .milliseconds(500))

        // An unfunded credit fails its funds check at intake: one payment.failed event.
        let csv = try String(contentsOf: CLI.root.appendingPathComponent("fixtures/payments/demo.csv"), encoding: .utf8)
        let firstRow = csv.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n"
        #expect(try metl("payments", "import", "-", "--merchant", "acme", stdin: firstRow).status == 0)

        let drained = try metl("webhooks", "work", "--drain", "--drain-timeout", "5s", "--json")
        #expect(drained.status == 0, "\(drained.stderr)")
        #expect(drained.stdout.contains("\"delivered\" : 1"))
        let events = try metl("webhooks", "events", "--status", "delivered", "--json")
        let delivered = try #require(events.listed)
        #expect(delivered.count == 1 && delivered[0]["type"] as? String == "payment.failed" && (delivered[0]["id"] as? String)?.hasPrefix("dlv_") == true)
        let eventID = try #require(delivered[0]["event_id"] as? String)
        let attempts = try metl("webhooks", "attempts", eventID, "--json")
        #expect(attempts.stdout.contains("\"status_code\" : 204"))

        #expect(try metl("webhooks", "replay", eventID).stdout.contains("1 delivery due again"))
        #expect(try metl("webhooks", "work", "--drain", "--drain-timeout", "2s").status == 0)
        receiver.terminate()
        receiver.waitUntilExit()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("payment.failed"))
        #expect(log.contains("duplicate \(eventID)"), "the replay is recognised by its event id: \(log)")
        #expect(try metl("webhooks", "replay", "--since", "yesterday").status == 2)
    }
}
