import Foundation
import Logging
import Payments
import ServiceLifecycle

/// Delivers the messages owed to alert channels: claims the due ones under a lease, posts each,
/// and records sent, retried later (with backoff) or, after the last attempt, failed (a dead letter
/// `metl alerts show` lists). Runs beside the webhook worker, in `metl serve` and `metl webhooks
/// work`; a job that raises an alert only writes the message, so a channel that is down never holds
/// a job back.
public final class AlertWorker: Service {
    let store: any AlertStore
    let channels: [String: AlertChannel]
    let owner: String
    let logger: Logger
    let sender: AlertSender
    let poll: Duration
    /// The waits between attempts; after the last, the message is failed for good.
    public static let retries: [TimeInterval] = [10, 30, 60, 300, 900, 1_800, 3_600]

    public init(store: any AlertStore, channels: [AlertChannel], owner: String, poll: Duration = .seconds(2), logger: Logger) {
        self.store = store
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.owner = owner
        self.logger = logger
        self.poll = poll
        sender = AlertSender(logger: logger)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await self.deliverDue(at: Date()) == 0 { try await Task.sleep(for: self.poll) }
                } catch is CancellationError {
                    break
                } catch {
                    self.logger.error("alert delivery failed; trying again", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: self.poll)
                }
            }
        }
    }

    /// Sends every message due at `now`; returns how many were attempted.
    @discardableResult
    public func deliverDue(at now: Date) async throws -> Int {
        let due = try await store.claimAlertNotifications(owner: owner, now: now, leaseUntil: now.addingTimeInterval(60), limit: 20)
        for notification in due {
            try await deliver(notification, at: now)
        }
        return due.count
    }

    private func deliver(_ notification: AlertNotification, at now: Date) async throws {
        guard let channel = channels[notification.channel] else {
            // A channel removed from the configuration since the message was owed: nothing can send it.
            try await store.recordAlertNotification(id: notification.id, owner: owner, status: .failed, retryAt: nil,
                                                    error: "no channel named \(notification.channel) is configured")
            return
        }
        let alert = try await store.alert(id: notification.alertID)
        let failure: String?
        do {
            try await sender.send(AlertMessage.make(notification.event, alert, for: channel, id: notification.id, at: now), to: channel)
            failure = nil
        } catch {
            failure = error.message
        }
        guard let failure else {
            try await store.recordAlertNotification(id: notification.id, owner: owner, status: .sent, retryAt: nil, error: nil)
            logger.info("alert sent", metadata: ["alert": "\(alert.id)", "code": "\(alert.code.rawValue)", "channel": "\(channel.name)",
                                                 "event": "\(notification.event.rawValue)"])
            return
        }
        let attempt = notification.attempts
        if attempt < Self.retries.count {
            try await store.recordAlertNotification(id: notification.id, owner: owner, status: .pending,
                                                    retryAt: now.addingTimeInterval(Self.retries[attempt]), error: failure)
            logger.warning("alert not delivered; will retry", metadata: ["channel": "\(channel.name)", "error": "\(failure)"])
        } else {
            try await store.recordAlertNotification(id: notification.id, owner: owner, status: .failed, retryAt: nil, error: failure)
            logger.error("alert not delivered; gave up", metadata: ["channel": "\(channel.name)", "error": "\(failure)"])
        }
    }

    /// Delivers everything due until nothing is left or `timeout` passes; returns how many
    /// messages it attempted.
    @discardableResult
    public func drain(timeout: Duration) async throws -> Int {
        let deadline = Date().addingTimeInterval(TimeInterval(timeout.components.seconds))
        var attempted = 0
        while Date() < deadline {
            let due = try await deliverDue(at: Date())
            if due == 0 { break }
            attempted += due
        }
        return attempted
    }
}
