import Foundation

/// One condition that needs a person: raised once for its code and key however often it is seen
/// (`count` says how often), resolved when the condition clears, acknowledged by whoever took it.
public struct Alert: Sendable, Hashable, Identifiable {
    public static let idPrefix = "alr"

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open, resolved
    }

    public var id: String
    public var code: AlertCode
    public var severity: AlertSeverity
    /// What makes two raisings the same alert: the profile, the file, the endpoint.
    public var key: String
    public var summary: String
    public var status: Status
    /// How many times the condition was seen while open.
    public var count: Int
    public var raisedAt: Date
    public var lastSeenAt: Date
    public var resolvedAt: Date?
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?

    public init(id: String, code: AlertCode, severity: AlertSeverity, key: String, summary: String, status: Status, count: Int,
                raisedAt: Date, lastSeenAt: Date, resolvedAt: Date? = nil, acknowledgedBy: String? = nil, acknowledgedAt: Date? = nil) {
        self.id = id
        self.code = code
        self.severity = severity
        self.key = key
        self.summary = summary
        self.status = status
        self.count = count
        self.raisedAt = raisedAt
        self.lastSeenAt = lastSeenAt
        self.resolvedAt = resolvedAt
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
    }

    /// A new open alert for `code` and `key`, first seen at `now`.
    public static func raising(_ code: AlertCode, key: String, summary: String, at now: Date) -> Alert {
        Alert(id: Identifier.make(prefix: idPrefix, at: now), code: code, severity: code.severity, key: key, summary: summary,
              status: .open, count: 1, raisedAt: now, lastSeenAt: now)
    }

    /// The key a channel deduplicates on (PagerDuty's `dedup_key`): the same for the trigger and the resolve.
    public var dedupKey: String { "metl/\(code.rawValue)/\(key)" }
}

/// One message owed to a channel about an alert: its trigger or its resolution. Delivered at least
/// once by the webhook worker, with retries, until sent or dead-lettered.
public struct AlertNotification: Sendable, Hashable, Identifiable {
    public static let idPrefix = "aln"

    public enum Event: String, Sendable, Hashable, Codable, CaseIterable {
        case trigger, resolve
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case pending, sent, failed
    }

    public var id: String
    public var alertID: String
    public var channel: String
    public var event: Event
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date

    public init(id: String, alertID: String, channel: String, event: Event, status: Status, attempts: Int, nextAttemptAt: Date,
                lastError: String?, createdAt: Date) {
        self.id = id
        self.alertID = alertID
        self.channel = channel
        self.event = event
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
    }

    /// A pending message for each of `channels` about `alert`'s `event`, due at `now`.
    public static func owed(_ event: Event, of alert: Alert, to channels: [String], at now: Date) -> [AlertNotification] {
        channels.map { AlertNotification(id: Identifier.make(prefix: idPrefix, at: now), alertID: alert.id, channel: $0, event: event,
                                         status: .pending, attempts: 0, nextAttemptAt: now, lastError: nil, createdAt: now) }
    }
}
