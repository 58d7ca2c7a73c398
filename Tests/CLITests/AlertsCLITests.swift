import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing
import TestSupport

/// Alerts through the real binary, to a Slack-shaped and a PagerDuty-shaped receiver on loopback:
/// a cutoff against an sshd that is down raises `cutoff_failed` once however often it fails, the
/// next good run resolves it (PagerDuty's `resolve` with the same `dedup_key`); a channel that is
/// down never fails the job and is retried; `metl watch --once` resolves what a person cleared.
/// And by mail, to a real SMTP server (aiosmtpd) over STARTTLS.
@Suite(.serialized) struct AlertsCLITests {
    /// What the receivers were sent: path and JSON body, in order.
    final class Received: Sendable {
        let bodies = Mutex<[(path: String, body: Data)]>([])

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            for (path, status) in [("/slack", HTTPResponse.Status.ok), ("/pagerduty", .accepted)] {
                router.post(RouterPath(stringLiteral: path)) { request, _ -> HTTPResponse.Status in
                    let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
                    self.bodies.withLock { $0.append((path, body)) }
                    return status
                }
            }
            return router
        }

        func at(_ path: String) -> [[String: Any]] {
            bodies.withLock { $0.filter { $0.path == path }.map(\.body) }.map { (try? JSONSerialization.jsonObject(with: $0) as? [String: Any]) ?? [:] }
        }
    }

    /// A mail channel the configuration gets wrong stops every command before anything runs, each
    /// problem named; a header smuggled into an address is one of them.
    @Test func aBadMailChannelIsRefusedByTheBinaryWithEveryProblemNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-alerts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration: [String: Any] = ["database": directory + "/metl.sqlite", "alerts": [
            "channels": ["mail": ["type": "email", "smtp": "http://mail.example.com", "from": "metl@example.com\r\nBcc: all@example.com",
                                  "to": ["ops@example.com>, <x@evil.example"], "username": "metl"]],
            "routes": [["codes": ["*"], "channels": ["mail"]]],
        ]]
        try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: directory + "/metl.json"))
        for arguments in [["alerts", "test", "mail"], ["watch", "--once"]] {
            let refused = try CLI.run(arguments, environment: ["METL_CONFIG": directory + "/metl.json"])
            #expect(refused.status == 8, "\(arguments): \(refused.stderr)")
            for problem in ["alerts.channels.mail.smtp: an SMTP address starts smtp://", "alerts.channels.mail.from: must be a bare address",
                            "alerts.channels.mail.to: ", "alerts.channels.mail.username: a user name needs a password_file"] {
                #expect(refused.stderr.contains(problem), "\(problem) in \(refused.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/metl.sqlite"), "nothing was created")
    }

    @Test func aDownSSHDRaisesCutoffFailedOnceAndTheNextGoodRunResolvesIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-alerts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bank", withIntermediateDirectories: true)
        let received = Received()
        var receiver = await LoopbackServer.start(received.router())
        let port = receiver.port
        try "http://127.0.0.1:\(port)/slack\n".write(toFile: directory + "/slack-url", atomically: true, encoding: .utf8)
        try "R0UT1NGKEY0123456789012345678901\n".write(toFile: directory + "/pagerduty-key", atomically: true, encoding: .utf8)
        let mail = try await SMTPReceiver.start(.startTLS)
        let configuration: [String: Any] = ["database": directory + "/metl.sqlite", "alerts": [
            "channels": ["ops": ["type": "slack", "url_file": directory + "/slack-url"],
                         "pager": ["type": "pagerduty", "routing_key_file": directory + "/pagerduty-key",
                                   "url": "http://127.0.0.1:\(port)/pagerduty"],
                         "mail": ["type": "email", "smtp": "smtp://localhost:\(mail.port)", "from": "metl@example.com",
                                  "to": ["payments-ops@example.com"], "username": mail.username, "password_file": mail.passwordFile,
                                  "ca_file": mail.certificateAuthority]],
            "routes": [["codes": ["*"], "min_severity": "warning", "channels": ["ops", "pager"]],
                       ["codes": ["cutoff_failed"], "min_severity": "critical", "channels": ["mail"]]],
        ]]
        try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: directory + "/metl.json"))
        // An sshd whose host key we trust, then stopped: the bank's server is down.
        let server = try SSHServer.start()
        server.stop()
        var environment = ["METL_CONFIG": directory + "/metl.json", "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
                           "METL_ORIGIN_NAME": "METL TEST", "METL_DESTINATION_NAME": "FED", "METL_CLOCK": CLI.demoClock,
                           "METL_DESTINATION": "sftp://\(server.username)@127.0.0.1:\(server.port)\(server.root)",
                           "METL_IDENTITY_FILE": server.clientKeyPath, "METL_KNOWN_HOSTS": server.knownHostsPath,
                           // The run gives up on the bank's server after a few seconds, not the 15-minute window.
                           "METL_CUTOFF_WINDOW": "3s"]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        func alerts(open: Bool = true) throws -> [[String: Any]] {
            let listed = try metl("alerts", "list", "--json") .stdout
            let all = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]]) ?? []
            return open ? all.filter { $0["status"] as? String == "open" } : all
        }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)

        // Down twice: one alert, seen twice, one message to each channel.
        for _ in 0..<2 {
            let down = try metl("cutoff")
            #expect(down.status != 0, "\(down.stderr)")
        }
        // The run failed, and its window passed with a file not at the bank: two conditions, each raised once.
        let open = try alerts()
        #expect(Set(open.compactMap { $0["code"] as? String }) == ["cutoff_failed", "window_missed"] && open.allSatisfy { $0["count"] as? Int == 2 },
                "\(open)")
        #expect(try metl("webhooks", "work", "--drain", "--drain-timeout", "5s").status == 0)
        let slack = received.at("/slack"), pager = received.at("/pagerduty")
        #expect(slack.count == 2 && pager.count == 2, "one message per channel and alert: \(slack) \(pager)")
        let failed = try #require(slack.first { ($0["text"] as? String)?.contains("[CRITICAL] cutoff_failed") == true })
        #expect((failed["blocks"] as? [[String: Any]])?.map { $0["type"] as? String } == ["header", "section", "context"])
        let trigger = try #require(pager.first { $0["dedup_key"] as? String == "metl/cutoff_failed/default" })
        let payload = try #require(trigger["payload"] as? [String: Any])
        #expect(trigger["routing_key"] as? String == "R0UT1NGKEY0123456789012345678901" && trigger["event_action"] as? String == "trigger")
        #expect(payload["severity"] as? String == "critical" && payload["source"] as? String == "metl" && (payload["summary"] as? String)?.isEmpty == false)
        #expect(payload["timestamp"] is String && payload["component"] as? String == "cutoff_failed")
        let dedup = try #require(trigger["dedup_key"] as? String)
        // By mail too, over STARTTLS with the password: cutoff_failed alone, as its route says.
        let mailed = try mail.received()
        #expect(mailed.count == 1 && mailed.allSatisfy { $0.tls && $0.login == mail.username && $0.rcptTos == ["payments-ops@example.com"] })
        #expect(mailed.first?.header("Subject") == "[CRITICAL] cutoff_failed: default", "\(String(describing: mailed.first?.data))")
        #expect(mailed.first?.text.contains("Seen:      2 times") == true && mailed.first?.text.contains("metl alerts ack ") == true)

        // The bank is back (here: a directory): the run succeeds and resolves the alert, with the same dedup_key.
        environment["METL_DESTINATION"] = "file://\(directory)/bank"
        #expect(try metl("cutoff").status == 0)
        #expect(try alerts().isEmpty)
        #expect(try metl("webhooks", "work", "--drain", "--drain-timeout", "5s").status == 0)
        let resolves = received.at("/pagerduty").filter { $0["event_action"] as? String == "resolve" }
        #expect(resolves.count == 2 && resolves.contains { $0["dedup_key"] as? String == dedup && $0["payload"] == nil }, "\(resolves)")
        #expect(received.at("/slack").contains { ($0["text"] as? String)?.hasPrefix("[RESOLVED] cutoff_failed") == true })
        #expect(try mail.received().map { $0.header("Subject") } == ["[CRITICAL] cutoff_failed: default", "[RESOLVED] cutoff_failed: default"])
        let tested = try metl("alerts", "test", "mail", "--json")
        let answer = try JSONSerialization.jsonObject(with: Data(tested.stdout.utf8)) as? [String: Any]
        #expect(tested.status == 0 && answer?["answer"] as? String == "250 2.0.0 Ok: queued as test-3" && answer?["delivered"] as? Bool == true,
                "\(tested.stdout) \(tested.stderr)")

        // The channels down: the job's outcome is its own, and the messages wait to be retried.
        await receiver.stop()
        try "garbage, not a bank file\n".write(toFile: directory + "/garbage.txt", atomically: true, encoding: .utf8)
        let ingest = try metl("ingest", directory + "/garbage.txt")
        #expect(ingest.status == 1, "a quarantined file is a finding, as without alerts: \(ingest.stderr)")
        let quarantined = try #require(try alerts().first { $0["code"] as? String == "bank_file_quarantined" })
        let id = try #require(quarantined["id"] as? String)
        #expect(try metl("webhooks", "work", "--drain", "--drain-timeout", "2s").status == 0)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try metl("alerts", "show", id, "--json").stdout.utf8)) as? [String: Any])
        let messages = try #require(shown["messages"] as? [[String: Any]])
        #expect(messages.count == 2 && messages.allSatisfy { $0["status"] as? String == "pending" && $0["attempts"] as? Int == 1
            && ($0["last_error"] as? String)?.contains("did not answer") == true }, "\(messages)")
        #expect(try metl("alerts", "test", "pager").status == 9, "a test to a channel that is down says so")
        // Back up on the same address: the retry (10 s later) delivers.
        receiver = await LoopbackServer.start(received.router(), port: port)
        try await Task.sleep(for: .seconds(11))
        #expect(try metl("webhooks", "work", "--drain", "--drain-timeout", "5s").status == 0)
        #expect(received.at("/slack").filter { ($0["text"] as? String)?.contains("bank_file_quarantined") == true }.count == 1)
        #expect(try metl("alerts", "test", "pager").status == 0)

        // Acknowledged, then cleared by a person: the watcher resolves it.
        let acknowledged = try metl("alerts", "ack", id, "--json")
        #expect(acknowledged.status == 0 && acknowledged.stdout.contains("\"acknowledged_by\""), "\(acknowledged.stderr)")
        let inbound = try #require(quarantined["key"] as? String)
        #expect(try metl("ingest", "dismiss", inbound, "--reason", "not from the bank").status == 0)
        #expect(try metl("watch", "--once").status == 0)
        #expect(try alerts().isEmpty, "dismissed: resolved by the watch")
        await receiver.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
