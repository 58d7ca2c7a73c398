import AsyncHTTPClient
import Foundation
import Logging
import Payments
import ServiceLifecycle

/// Delivers the outbox: leases due deliveries, POSTs them concurrently, and records every attempt and
/// its consequence in the transaction that leases the next round. Runs inside `metl serve` (as a Service) and as
/// `metl webhooks work`. Several workers can share a database: a delivery's lease keeps two from
/// attempting it at once, and an expired lease (a crashed worker) makes it due again — at least once.
public final class WebhookWorker: Service {
    let store: any WebhookStore
    let settings: WebhookSettings
    let logger: Logger
    private let clients: PinnedClients
    private let sender: WebhookSender
    private let policy: DeliveryPolicy

    public init(store: any WebhookStore, settings: WebhookSettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .nanoseconds(Int64(settings.connectTimeout.seconds * 1e9)),
                                      read: .nanoseconds(Int64(settings.requestTimeout.seconds * 1e9)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.concurrencyPerEndpoint
        configuration.redirectConfiguration = .disallow
        clients = PinnedClients(configuration: configuration)
        sender = WebhookSender(clients: clients, settings: settings)
        policy = DeliveryPolicy(settings: settings)
    }

    /// Delivers until graceful shutdown or cancellation, then closes its HTTP clients.
    public func run() async throws {
        logger.info("webhook worker started", metadata: ["worker": .string(settings.workerID),
                                                         "schedule": .string(settings.schedule.description)])
        await cancelWhenGracefulShutdown {
            var unrecorded: [DeliveryResult] = []
            while !Task.isCancelled {
                do {
                    unrecorded = try await self.round(recording: unrecorded)
                    if unrecorded.isEmpty { try await self.idle(until: nil) }
                } catch is CancellationError {
                    break
                } catch {
                    self.logger.error("webhook round failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: self.settings.pollInterval)
                }
            }
            // The last round's outcomes, recorded outside the cancelled task (the store would refuse to start);
            // should this fail, their leases expire and those deliveries are sent again.
            let (store, owner, last) = (self.store, self.settings.workerID, unrecorded)
            await Task { try? await store.recordWebhookResults(last, owner: owner) }.value
        }
        await clients.shutdown()
    }

    public struct DrainSummary: Sendable, Hashable {
        public var attempts = 0
        public var delivered = 0
        public var deadLettered = 0
        /// Deliveries still waiting (due after the deadline, or paused endpoints).
        public var pending = 0
    }

    /// Delivers everything due, waits for retries that fall due before `timeout` ends, then returns.
    public func drain(timeout: Duration) async throws -> DrainSummary {
        // The clients close whatever happened; awaiting inside a `catch` here crashed the release
        // compiler (Swift 6.3.1, coroutine splitting), hence the Result.
        let result: Result<DrainSummary, any Error>
        do {
            result = .success(try await rounds(until: Date().addingTimeInterval(timeout.seconds)))
        } catch {
            result = .failure(error)
        }
        await clients.shutdown()
        return try result.get()
    }

    private func rounds(until deadline: Date) async throws -> DrainSummary {
        var summary = DrainSummary()
        var unrecorded: [DeliveryResult] = []
        while true {
            let recorded = unrecorded
            unrecorded = try await round(recording: recorded)
            summary.attempts += recorded.count
            for result in recorded {
                if case .delivered = result.next { summary.delivered += 1 }
                if case .failed = result.next { summary.deadLettered += 1 }
            }
            if !unrecorded.isEmpty { continue }
            guard let due = try await store.nextWebhookDue(), due < deadline else { break }
            try await idle(until: due)
        }
        summary.pending = try await store.webhookDeliveryCount(status: .pending)
        return summary
    }

    /// Records `previous` (the last round's outcomes) and leases the next deliveries in one transaction,
    /// then sends those; returns their outcomes, which the next round records.
    func round(recording previous: [DeliveryResult]) async throws -> [DeliveryResult] {
        let now = Date()
        let deliveries = try await store.recordAndClaimWebhookDeliveries(
            previous, owner: settings.workerID, limit: settings.batchSize, perEndpoint: settings.concurrencyPerEndpoint, now: now,
            leaseEnds: now.addingTimeInterval(settings.leaseDuration.seconds))
        for result in previous {
            switch result.next {
            case .failed:
                logger.warning("webhook dead-lettered", metadata: ["event": .string(result.attempt.eventID),
                                                                   "endpoint": .string(result.attempt.endpointID)])
            case .pause(_, let reason):
                logger.error("ALERT: webhook endpoint disabled", metadata: ["endpoint": .string(result.attempt.endpointID),
                                                                            "reason": .string(reason)])
            default: break
            }
        }
        guard !deliveries.isEmpty else { return [] }
        return await withTaskGroup(of: DeliveryResult.self) { group in
            for delivery in deliveries {
                group.addTask { await self.attempt(delivery) }
            }
            return await group.reduce(into: [DeliveryResult]()) { $0.append($1) }
        }
    }

    private func attempt(_ delivery: WebhookDelivery) async -> DeliveryResult {
        let started = Date()
        let outcome: WebhookSender.Outcome
        do {
            outcome = await sender.send(delivery, url: try settings.addressPolicy.validate(url: delivery.endpoint.url))
        } catch {
            outcome = WebhookSender.Outcome(error: error.message, latencyMilliseconds: 0)
        }
        let next = policy.next(statusCode: outcome.statusCode, retryAfter: outcome.retryAfter, attempt: delivery.attempt,
                               endpoint: delivery.endpoint, now: Date())
        logger.debug("webhook attempt", metadata: [
            "event": .string(delivery.event.id), "endpoint": .string(delivery.endpoint.id), "attempt": "\(delivery.attempt)",
            "status": "\(outcome.statusCode.map(String.init) ?? outcome.error ?? "-")",
        ])
        return DeliveryResult(deliveryID: delivery.id, attempt: WebhookAttempt(
            eventID: delivery.event.id, endpointID: delivery.endpoint.id, attempt: delivery.attempt, startedAt: started,
            statusCode: outcome.statusCode, latencyMilliseconds: outcome.latencyMilliseconds, error: outcome.error,
            responseExcerpt: outcome.excerpt), next: next)
    }

    /// Sleeps until `date` or the poll interval, whichever is sooner.
    private func idle(until date: Date?) async throws {
        var wait = settings.pollInterval.seconds
        if let date { wait = max(0.01, min(wait, date.timeIntervalSinceNow)) }
        try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
    }
}
