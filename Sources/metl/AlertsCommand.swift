import ArgumentParser
import Foundation
import MetlConfiguration
import Payments
import Pipeline
import Webhooks

/// `metl alerts`: what needs someone, raised by the jobs and the watcher, and the channels they go to.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "alerts", abstract: "Alerts the jobs and the watcher raised: list, show, acknowledge, and try a channel.",
        discussion: """
            An alert is raised once per condition and key (a profile, a file, an endpoint) however often it is seen, and \
            resolved when the condition clears; each raising and resolution is sent to the channels the configuration's \
            alerts.routes name (Slack, PagerDuty, a signed webhook) by the webhook worker, with retries.
            """,
        subcommands: [List.self, Show.self, Ack.self, Test.self])

    struct Document: Encodable {
        var id: String, code: String, severity: String, key: String, summary: String, status: String, count: Int
        var raisedAt: String, lastSeenAt: String
        @Nullable var resolvedAt: String?
        @Nullable var acknowledgedBy: String?
        @Nullable var acknowledgedAt: String?
        var messages: [Message]?

        struct Message: Encodable {
            var channel: String, event: String, status: String, attempts: Int
            @Nullable var lastError: String?
            enum CodingKeys: String, CodingKey { case channel, event, status, attempts, lastError = "last_error" }
        }

        enum CodingKeys: String, CodingKey {
            case id, code, severity, key, summary, status, count, raisedAt = "raised_at", lastSeenAt = "last_seen_at", resolvedAt = "resolved_at"
            case acknowledgedBy = "acknowledged_by", acknowledgedAt = "acknowledged_at", messages
        }

        init(_ alert: Alert, messages: [AlertNotification]? = nil) {
            (id, code, severity, key, summary, status, count) = (alert.id, alert.code.rawValue, alert.severity.rawValue, alert.key, alert.summary,
                                                                  alert.status.rawValue, alert.count)
            (raisedAt, lastSeenAt) = (Timestamp.format(alert.raisedAt), Timestamp.format(alert.lastSeenAt))
            (resolvedAt, acknowledgedBy, acknowledgedAt) = (alert.resolvedAt.map(Timestamp.format), alert.acknowledgedBy,
                                                            alert.acknowledgedAt.map(Timestamp.format))
            self.messages = messages?.map { Message(channel: $0.channel, event: $0.event.rawValue, status: $0.status.rawValue,
                                                    attempts: $0.attempts, lastError: $0.lastError) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Alerts, newest first.")
        @Flag(help: "Only open alerts.") var open = false
        @Option(help: "At most this many.") var limit = 100
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try positive(limit, "--limit")
            let (database, _) = try await store.openStore(.reading)
            let alerts = try await database.alerts(openOnly: open, code: nil, limit: limit)
            if output.json { return try Output.json(alerts.map { Document($0) }) }
            if alerts.isEmpty { return Output.line(open ? "no open alerts" : "no alerts") }
            Output.table(["ID", "CODE", "SEVERITY", "KEY", "STATUS", "SEEN", "RAISED", "ACK"], alerts.map {
                [$0.id, $0.code.rawValue, $0.severity.rawValue, $0.key, $0.status.rawValue, String($0.count), Timestamp.format($0.raisedAt),
                 $0.acknowledgedBy ?? "-"]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "One alert, and each message owed to a channel about it.")
        @Argument(help: "Alert id (alr_…).") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (database, _) = try await store.openStore(.reading)
            let alert = try await database.alert(id: id)
            let messages = try await database.alertNotifications(alertID: alert.id)
            if output.json { return try Output.json(Document(alert, messages: messages)) }
            Output.line("\(alert.id)  \(alert.code.rawValue)  \(alert.severity.rawValue)  \(alert.status.rawValue)")
            Output.line("  key \(alert.key); seen \(Words.count(alert.count, "time")); raised \(Timestamp.format(alert.raisedAt))"
                        + (alert.resolvedAt.map { "; resolved \(Timestamp.format($0))" } ?? ""))
            Output.line("  \(alert.summary)")
            if let person = alert.acknowledgedBy { Output.line("  acknowledged by \(person) at \(alert.acknowledgedAt.map(Timestamp.format) ?? "")") }
            if !messages.isEmpty {
                Output.table(["CHANNEL", "EVENT", "STATUS", "ATTEMPTS", "LAST ERROR"], messages.map {
                    [$0.channel, $0.event.rawValue, $0.status.rawValue, String($0.attempts), $0.lastError ?? ""]
                })
            }
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(commandName: "ack", abstract: "Say you took an alert (an operator): recorded once, with who and when.")
        @Argument(help: "Alert id (alr_…).") var id: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (database, _) = try await store.openStore()
            let actor = try await acting.actor(database, .operator, to: "acknowledge an alert")
            let alert = try await database.acknowledgeAlert(id: id, by: actor.rawValue, at: Date())
            if output.json { return try Output.json(Document(alert)) }
            Output.line("\(alert.id): acknowledged by \(alert.acknowledgedBy ?? actor.rawValue)")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Send a test message to a channel now and report its answer.")
        @Argument(help: "A channel of the configuration's alerts.channels.") var channel: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Answer: Encodable {
            var channel: String, type: String, delivered: Bool
            /// The HTTP status (null for email).
            @Nullable var status: Int?
            /// The channel's answer in words: `HTTP 202`, or the mail server's `250 …`.
            @Nullable var answer: String?
            @Nullable var error: String?
        }

        func run() async throws {
            let settings = try store.settings()
            guard let found = try settings.alerts.resolvedChannels().first(where: { $0.name == channel }) else {
                throw ValidationError("\(channel) is not one of the configuration's alerts.channels ("
                                      + settings.alerts.channels.map(\.name).joined(separator: ", ") + ")")
            }
            let alert = Alert.raising(.test, key: channel, summary: "a test message from metl alerts test", at: Date())
            let sender = AlertSender(logger: Log.make("metl.alerts", json: output.json))
            var answer = Answer(channel: found.name, type: found.type, delivered: false)
            do {
                let taken = try await sender.send(AlertMessage.make(.trigger, alert, for: found, id: alert.id, at: Date()), to: found)
                (answer.status, answer.answer) = (taken.httpStatus, taken.text)
                answer.delivered = true
                if case .pagerDuty = found.kind {
                    // Nothing stays open at PagerDuty after a test.
                    try await sender.send(AlertMessage.make(.resolve, alert, for: found, id: alert.id + "-resolve", at: Date()), to: found)
                }
            } catch {
                answer.error = error.message
            }
            if output.json { try Output.json(answer) } else {
                Output.line(answer.delivered ? "\(found.name) (\(found.type)): delivered, \(answer.answer ?? "")"
                                             : "\(found.name) (\(found.type)): NOT delivered: \(answer.error ?? "")")
            }
            if !answer.delivered { throw ExitStatus.unreachable }
        }
    }
}

/// `metl watch --once`: the conditions of time (nothing happened by a time) for hosts without `metl serve`.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "watch", abstract: "Raise and resolve the alerts of time: exceptions and held files near their deadlines, files the bank has not acknowledged, expected bank files missing, leases held too long, dead letters, disabled endpoints, quarantined bank files.",
        discussion: "With --once it evaluates once and exits (for a timer); without, every minute until stopped.")
    @Flag(help: "Evaluate once and exit.") var once = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var metrics: MetricsOptions

    func run() async throws {
        let (database, settings) = try await store.openStore()
        let alerts = JobAlerts(store: database, routing: settings.alerts.routing, logger: Log.make("metl.watch", json: output.json))

        let logger = Log.make("metl.watch", json: output.json)
        repeat {
            let started = Date()
            let raised = await alerts.watch(at: settings.clock(), thresholds: settings.alertThresholds, expected: settings.expectedBankFiles)
            let open = (try? await database.alerts(openOnly: true, code: nil, limit: Int.max)) ?? []
            metrics.write(JobMetrics(job: "watch", started: started, ended: Date(), succeeded: true, counts: [
                ("alerts_raised", raised.count, "Alerts the last pass raised."), ("alerts_open", open.count, "Alerts open after the last pass."),
                ("alerts_open_critical", open.count { $0.severity == .critical }, "Critical alerts open after the last pass."),
            ]), logger: logger)
            if output.json { try Output.json(raised.map { AlertsCommand.Document($0) }) } else {
                for alert in raised { Output.line("ALERT \(alert.code.rawValue) \(alert.key): \(alert.summary)") }
                if raised.isEmpty, once { Output.line("nothing new") }
            }
            if !once { try await Task.sleep(for: .seconds(60)) }
        } while !once
    }
}
