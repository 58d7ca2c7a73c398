import ArgumentParser
import MetlConfiguration
import Foundation
import Synchronization
import Logging
import Payments
import Pipeline
import WebhookSignature
import Webhooks

/// `metl webhooks`: endpoints, the delivery log, replays and the worker.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "webhooks", abstract: "Webhook endpoints, deliveries, replays and the delivery worker.",
        subcommands: [Endpoints.self, Events.self, Attempts.self, Replay.self, Work.self])

    struct Endpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Manage merchants' webhook endpoints.", subcommands: [Add.self, List.self, Disable.self, Enable.self, RotateSecret.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(
                abstract: "Add an endpoint; prints its signing secret once (--json: {\"id\": …, \"secret\": \"whsec_…\"}).")
            @Argument(help: "Merchant id or name.") var merchant: String
            @Argument(help: "http(s) URL that receives the events.") var url: String
            @Option(help: "Comma-separated event types (default: all): \(WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")).")
            var events: String?
            @OptionGroup var webhook: WebhookOptions
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            struct Created: Encodable {
                var id: String
                var secret: String
            }

            func run() async throws {
                let types = try WebhooksCommand.eventTypes(events)
                let policy = try webhook.settings().addressPolicy
                let parsed = try policy.validate(url: url)
                try await policy.check(host: parsed.host ?? "")
                let (store, _) = try await store.openStore()
                try await acting.acting(store, .operator, to: "add a webhook endpoint") {
                    let found = try await store.merchant(merchant)
                    // --webhooks-allow-private is recorded on the endpoint, so every delivery worker honours it for this endpoint.
                    let (endpoint, secret, _) = try await store.addWebhookEndpoint(
                        merchantID: found.id, url: url, eventTypes: types, secret: StandardWebhooks.makeSecret(), idempotencyKey: nil,
                        allowsPrivateAddresses: webhook.allowPrivate)
                    if output.json { return try Output.json(Created(id: endpoint.id, secret: secret)) }
                    Output.secret(secret, label: "signing secret")
                    Output.error("added webhook endpoint \(endpoint.id) for \(found.name); the secret above is not shown again"
                                 + (endpoint.allowsPrivateAddresses ? "; deliveries to it may go to private addresses (recorded on the endpoint)" : ""))
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(abstract: "List endpoints (all merchants, or one).")
            @Argument(help: "Merchant id or name.") var merchant: String?
            @OptionGroup var list: ListOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let window = try list.window(prefix: WebhookEndpoint.idPrefix)
                let (store, _) = try await store.openStore(.reading)
                let endpoints = try await store.webhookEndpoints(merchantID: try await store.merchantID(named: merchant))
                let page = try await ListPage.fetch(window, id: \.id) { window in window.select(endpoints, id: \.id, createdAt: \.createdAt) }
                try ListOptions.print(page, json: output.json, document: { WebhookEndpointDocument($0) }, empty: "no webhook endpoints",
                                      header: ["ID", "MERCHANT", "URL", "EVENTS", "ADDRESSES", "STATE"]) {
                    [$0.id, $0.merchantID, $0.url, WebhookEndpointDocument($0).events.joined(separator: ","),
                     $0.allowsPrivateAddresses ? "private allowed" : "public only", $0.enabled ? "enabled" : "disabled: \($0.disabledReason ?? "")"]
                }
            }
        }

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(abstract: "Stop deliveries to an endpoint; pending ones wait.")
            @Argument(help: "Endpoint id (whe_…).") var id: String
            @Option(help: "Why, for the record.") var reason = "disabled by an operator"
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (store, _) = try await store.openStore()
                try await acting.acting(store, .operator, to: "disable a webhook endpoint") {
                    let endpoint = try await store.setWebhookEndpoint(id: id, merchantID: nil, enabled: false, reason: reason)
                    if output.json { return try Output.json(WebhookEndpointDocument(endpoint)) }
                    Output.line("disabled \(endpoint.id)")
                }
            }
        }

        struct Enable: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(abstract: "Resume deliveries to an endpoint, pending ones first.")
            @Argument(help: "Endpoint id (whe_…).") var id: String
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (store, _) = try await store.openStore()
                try await acting.acting(store, .operator, to: "enable a webhook endpoint") {
                    let endpoint = try await store.setWebhookEndpoint(id: id, merchantID: nil, enabled: true, reason: nil)
                    if output.json { return try Output.json(WebhookEndpointDocument(endpoint)) }
                    Output.line("enabled \(endpoint.id)")
                }
            }
        }

        struct RotateSecret: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(
                abstract: "Make a new signing secret; the old one keeps signing (both signatures sent) for the grace period.")
            @Argument(help: "Endpoint id (whe_…).") var id: String
            @Option(help: "Grace period of the old secret, e.g. 24h.") var grace = "24h"
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            struct Rotated: Encodable {
                var id: String
                var secret: String
            }

            func run() async throws {
                guard let period = Duration(parsing: grace) else { throw ValidationError("--grace must be a duration such as 24h") }
                let (store, _) = try await store.openStore()
                try await acting.acting(store, .operator, to: "rotate a webhook secret") {
                    let secret = StandardWebhooks.makeSecret()
                    let (endpoint, _) = try await store.rotateWebhookSecret(
                        endpointID: id, merchantID: nil, newSecret: secret,
                        graceEnds: Date().addingTimeInterval(period.seconds), idempotencyKey: nil)
                    if output.json { return try Output.json(Rotated(id: endpoint.id, secret: secret)) }
                    Output.secret(secret, label: "signing secret")
                    Output.error("rotated the secret of \(endpoint.id); the old one signs too for \(grace)")
                }
            }
        }
    }

    struct DeliveryDocument: Encodable {
        var id: String
        var eventID: String
        var type: String
        var subjectID: String
        var endpointID: String
        var status: String
        var attempts: Int
        @Nullable var nextAttemptAt: String?
        @Nullable var lastStatusCode: Int?
        @Nullable var lastError: String?
        var createdAt: String
        enum CodingKeys: String, CodingKey {
            case id, eventID = "event_id", type, subjectID = "subject_id", endpointID = "endpoint_id", status, attempts,
                 nextAttemptAt = "next_attempt_at", lastStatusCode = "last_status_code", lastError = "last_error", createdAt = "created_at"
        }

        init(_ delivery: WebhookDeliveryStatus) {
            (id, eventID, type, subjectID, endpointID) = (delivery.id, delivery.eventID, delivery.eventType.rawValue, delivery.subjectID,
                                                          delivery.endpointID)
            (status, attempts, nextAttemptAt) = (delivery.status.rawValue, delivery.attempts, delivery.nextAttemptAt.map(Timestamp.format))
            (lastStatusCode, lastError, createdAt) = (delivery.lastStatusCode, delivery.lastError, Timestamp.format(delivery.createdAt))
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "List event deliveries (failed = dead letters), oldest first, a page at a time.",
            discussion: "--json prints {data, next_cursor}; pass next_cursor to --after for the next page.")
        @Option(help: "Only deliveries in this status.") var status: WebhookDeliveryStatus.Status?
        @OptionGroup var list: ListOptions

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: WebhookDeliveryStatus.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            let page = try await ListPage.fetch(window, id: \.id) { window in try await store.webhookDeliveries(status: status, window: window) }
            try ListOptions.print(page, json: output.json, document: DeliveryDocument.init, empty: "no deliveries",
                                  header: ["ID", "CREATED", "EVENT", "TYPE", "ENDPOINT", "STATUS", "ATTEMPTS", "LAST"]) {
                [$0.id, Timestamp.format($0.createdAt), $0.eventID, $0.eventType.rawValue, $0.endpointID, $0.status.rawValue, String($0.attempts),
                 $0.lastStatusCode.map(String.init) ?? $0.lastError ?? "-"]
            }
        }
    }

    struct AttemptDocument: Encodable {
        var attempt: Int
        var endpointID: String
        var startedAt: String
        @Nullable var statusCode: Int?
        var latencyMilliseconds: Int
        @Nullable var error: String?
        @Nullable var response: String?
        enum CodingKeys: String, CodingKey {
            case attempt, endpointID = "endpoint_id", startedAt = "started_at", statusCode = "status_code",
                 latencyMilliseconds = "latency_ms", error, response
        }
    }

    struct Attempts: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Every attempt to deliver one event.")
        @Argument(help: "Event id (evt_…).") var eventID: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, _) = try await store.openStore(.reading)
            let attempts = try await store.webhookAttempts(eventID: eventID)
            if output.json {
                return try Output.json(attempts.map {
                    AttemptDocument(attempt: $0.attempt, endpointID: $0.endpointID, startedAt: Timestamp.format($0.startedAt),
                                    statusCode: $0.statusCode, latencyMilliseconds: $0.latencyMilliseconds, error: $0.error,
                                    response: $0.responseExcerpt)
                })
            }
            Output.table(["#", "ENDPOINT", "STARTED", "STATUS", "MS", "ERROR / RESPONSE"], attempts.map {
                [String($0.attempt), $0.endpointID, Timestamp.format($0.startedAt), $0.statusCode.map(String.init) ?? "-",
                 String($0.latencyMilliseconds), ($0.error ?? $0.responseExcerpt ?? "").replacingOccurrences(of: "\n", with: " ")]
            })
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Deliver events again: one event, or every event since a time.",
            discussion: "Receivers see the same event id again and dedupe on it.")
        @Argument(help: "Event id (evt_…).") var eventID: String?
        @Option(help: "Replay every event created at or after this RFC 3339 time.") var since: String?
        @Option(help: "Only to this endpoint.") var endpoint: String?
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Result: Encodable { var deliveries: Int }

        func validate() throws {
            guard (eventID == nil) != (since == nil) else { throw ValidationError("give an EVENT_ID or --since, not both") }
        }

        func run() async throws {
            let (store, _) = try await store.openStore()
            try await acting.acting(store, .operator, to: "replay webhooks") {
                let count: Int
                if let eventID {
                    count = try await store.replayWebhookEvent(id: eventID, endpointID: endpoint)
                } else {
                    guard let text = since, let date = try? Date(text, strategy: .iso8601) else {
                        throw ValidationError("--since must be an RFC 3339 time such as 2026-11-22T00:00:00Z")
                    }
                    count = try await store.replayWebhookEvents(since: date, endpointID: endpoint)
                }
                if output.json { return try Output.json(Result(deliveries: count)) }
                Output.line("\(Words.count(count, "delivery", plural: "deliveries")) due again")
            }
        }
    }

    struct Work: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Deliver webhooks until stopped (SIGTERM), or with --drain until nothing is due.")
        @Flag(help: "Deliver what is due, wait for retries due within --drain-timeout, then exit.") var drain = false
        @Option(help: "How long --drain waits for retries, e.g. 60s.") var drainTimeout = "60s"
        @OptionGroup var webhook: WebhookOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
            @OptionGroup var metrics: MetricsOptions

        struct Summary: Encodable {
            var attempts: Int
            var delivered: Int
            var deadLettered: Int
            var pending: Int
            /// Messages to alert channels attempted in the same drain.
            var alertMessages: Int
            enum CodingKeys: String, CodingKey { case attempts, delivered, deadLettered = "dead_lettered", pending, alertMessages = "alert_messages" }
        }

        func run() async throws {
            let (store, settings) = try await store.openStore()
            let logger = Log.make("metl.webhooks", json: output.json)
            let archive = (try? settings.archiveDirectory(nil, layers: .process)).map(Archive.init)
            let seen = Mutex<Summary?>(nil)
            try await JobAudit.around("webhooks work", actor: Actor(rawValue: "metl-webhooks"), store: store, settings: settings, archive: archive,
                                      logger: logger, metrics: metrics, counts: { seen.withLock { $0 }.map(Self.counts) ?? [] }) {
                try await work(store, settings: settings, logger: logger) { summary in seen.withLock { $0 = summary } }
            }
        }

        /// A drain's counts for its metrics file.
        static func counts(_ summary: Summary) -> [(name: String, value: Int, help: String)] {
            [("deliveries_attempted", summary.attempts, "Webhook deliveries the last drain attempted."),
             ("deliveries_delivered", summary.delivered, "Webhook deliveries the last drain delivered."),
             ("deliveries_dead_lettered", summary.deadLettered, "Webhook deliveries the last drain gave up on."),
             ("deliveries_pending", summary.pending, "Webhook deliveries still pending after the last drain."),
             ("alert_messages", summary.alertMessages, "Messages to alert channels the last drain attempted.")]
        }

        private func work(_ store: any LedgerStore, settings: Settings, logger: Logger, drained: (Summary) -> Void) async throws {
            let webhookSettings = try webhook.settings()
            let worker = WebhookWorker(store: store, settings: webhookSettings, logger: logger)
            // The messages owed to alert channels go out with the webhooks.
            let alerts = AlertWorker(store: store, channels: try settings.alerts.resolvedChannels(), owner: webhookSettings.workerID,
                                     logger: Log.make("metl.alerts", json: output.json))
            guard drain else {
                return try await ServeCommand.runUntilSignalled([worker, alerts], on: store, logger: Log.make("metl.webhooks", json: output.json))
            }
            guard let timeout = Duration(parsing: drainTimeout) else { throw ValidationError("--drain-timeout must be a duration such as 60s") }
            let summary = try await worker.drain(timeout: timeout)
            let alertMessages = try await alerts.drain(timeout: timeout)
            let result = Summary(attempts: summary.attempts, delivered: summary.delivered, deadLettered: summary.deadLettered,
                                 pending: summary.pending, alertMessages: alertMessages)
            drained(result)
            if output.json { return try Output.json(result) }
            Output.line("\(summary.attempts) attempts: \(summary.delivered) delivered, \(summary.deadLettered) dead-lettered, "
                        + "\(summary.pending) still pending")
            if alertMessages > 0 { Output.line("\(Words.count(alertMessages, "alert message")) sent or retried (metl alerts show)") }
        }
    }

    static func eventTypes(_ text: String?) throws -> [WebhookEventType] {
        guard let text, text != "*" else { return [] }
        return try text.split(separator: ",").map { item in
            guard let type = WebhookEventType(rawValue: item.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown event type \(item); known: \(WebhookEventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return type
        }
    }
}
