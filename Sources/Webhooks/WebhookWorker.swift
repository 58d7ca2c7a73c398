import AsyncHTTPClient
import Foundation
import Logging
import Payments
import ServiceLifecycle

/// Delivers the outbox: leases due deliveries, POSTs them through a sliding window per endpoint, and
/// records every attempt and its consequence in the transaction that leases the next ones. Runs
/// inside `metl serve` (as a Service) and as `metl webhooks work`. Several workers can share a database: a delivery's lease keeps two from
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
            let unrecorded = await self.deliver(until: nil).unrecorded
            // The last attempts' outcomes, recorded outside the cancelled task (the store would refuse to start);
            // should this fail, their leases expire and those deliveries are sent again.
            let (store, owner) = (self.store, self.settings.workerID)
            await Task { try? await store.recordWebhookResults(unrecorded, owner: owner) }.value
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
        let window = await deliver(until: Date().addingTimeInterval(timeout.seconds))
        // The clients close whatever happened; awaiting inside a `catch` here crashed the release
        // compiler (Swift 6.3.1, coroutine splitting), hence the Result.
        let result: Result<DrainSummary, any Error>
        do {
            var summary = try window.outcome.get()
            summary.pending = try await store.webhookDeliveryCount(status: .pending)
            result = .success(summary)
        } catch {
            result = .failure(error)
        }
        await clients.shutdown()
        return try result.get()
    }

    /// One event in the window: an attempt finished, or the poll timer fired.
    private enum Slot: Sendable {
        case finished(DeliveryResult)
        case tick
    }

    /// The sliding window. Up to `batchSize` attempts are in flight (and no more per endpoint than
    /// its concurrency, which the claim enforces across workers), and the window is topped up as they
    /// finish, so one slow receiver never holds back the others and the pipe to each endpoint stays
    /// full. Finished attempts are recorded in the transaction that claims their replacements, once a
    /// quarter of the window has finished or the poll timer fires, which batches the writes and lets
    /// them overlap the attempts still in flight.
    ///
    /// Without a deadline it runs until cancelled, logging store failures and trying again (their
    /// outcomes are kept for the next transaction); with one it stops once nothing is in flight and
    /// nothing falls due before it, and throws a store failure. Returns the outcomes not yet recorded.
    private func deliver(until deadline: Date?) async -> (outcome: Result<DrainSummary, any Error>, unrecorded: [DeliveryResult]) {
        await withTaskGroup(of: Slot.self) { group in
            var summary = DrainSummary()
            var finished: [DeliveryResult] = []
            var inFlight = 0
            var ticking = false
            var failure: (any Error)?
            while !Task.isCancelled {
                do {
                    let free = settings.batchSize - inFlight
                    if free > 0 || !finished.isEmpty {
                        let claimed = try await claim(recording: finished, limit: free)
                        summary.count(finished)
                        finished = []
                        for delivery in claimed { group.addTask { .finished(await self.attempt(delivery)) } }
                        inFlight += claimed.count
                    }
                    if inFlight == 0 {
                        guard let deadline else {
                            try await idle(until: nil)
                            continue
                        }
                        guard let due = try await store.nextWebhookDue(), due < deadline else { break }
                        try await idle(until: due)
                        continue
                    }
                } catch is CancellationError {
                    break
                } catch {
                    guard deadline == nil else {
                        failure = error
                        break
                    }
                    logger.error("webhook claim failed", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: settings.pollInterval)
                    continue
                }
                if !ticking {
                    let interval = settings.pollInterval
                    group.addTask {
                        try? await Task.sleep(for: interval)
                        return .tick
                    }
                    ticking = true
                }
                let enough = max(1, inFlight / 4)
                waiting: while let slot = await group.next() {
                    switch slot {
                    case .tick:
                        ticking = false
                        break waiting
                    case .finished(let result):
                        finished.append(result)
                        inFlight -= 1
                        if finished.count >= enough { break waiting }
                    }
                }
            }
            // Cancelled attempts end at once; their outcomes are recorded like any other.
            group.cancelAll()
            for await slot in group {
                if case .finished(let result) = slot { finished.append(result) }
            }
            return (failure.map { .failure($0) } ?? .success(summary), finished)
        }
    }

    /// Records `finished` and leases up to `limit` due deliveries in one transaction.
    private func claim(recording finished: [DeliveryResult], limit: Int) async throws -> [WebhookDelivery] {
        let now = Date()
        let deliveries = try await store.recordAndClaimWebhookDeliveries(
            finished, owner: settings.workerID, limit: limit, perEndpoint: settings.concurrencyPerEndpoint, now: now,
            leaseEnds: now.addingTimeInterval(settings.leaseDuration.seconds))
        for result in finished {
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
        return deliveries
    }

    private func attempt(_ delivery: WebhookDelivery) async -> DeliveryResult {
        let started = Date()
        let outcome: WebhookSender.Outcome
        do {
            let policy = settings.addressPolicy.delivering(to: delivery.endpoint)
            outcome = await sender.send(delivery, url: try policy.validate(url: delivery.endpoint.url), policy: policy)
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

extension WebhookWorker.DrainSummary {
    mutating func count(_ recorded: [DeliveryResult]) {
        attempts += recorded.count
        for result in recorded {
            if case .delivered = result.next { delivered += 1 }
            if case .failed = result.next { deadLettered += 1 }
        }
    }
}
