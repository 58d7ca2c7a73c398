import Foundation
import Payments
import PostgresNIO

extension PostgresStore: AlertStore {
    public func raiseAlert(_ alert: Alert, notifying channels: [String]) async throws -> (alert: Alert, raised: Bool) {
        try await transaction("raising an alert") { session in
            // One open alert per code and key (the partial unique index): a raising that meets one,
            // however it raced, sees it again; `xmax = 0` tells the row this statement inserted.
            let rows = try await session.rows("""
                INSERT INTO alerts (\(unescaped: Alert.columnList))
                VALUES (\(alert.id), \(alert.code.rawValue), \(alert.severity.rawValue), \(alert.key), \(alert.summary), \(alert.status.rawValue),
                        \(alert.count), \(Self.milliseconds(alert.raisedAt)), \(Self.milliseconds(alert.lastSeenAt)), NULL, NULL, NULL)
                ON CONFLICT (code, key) WHERE status = 'open'
                DO UPDATE SET count = alerts.count + 1, last_seen_at = EXCLUDED.last_seen_at, summary = EXCLUDED.summary
                RETURNING \(unescaped: Alert.columnList), (xmax = 0)
                """)
            guard let row = rows.first else { throw StoreError(.unavailable, "raising an alert returned no row") }
            var cells = Cells(row)
            let stored = try Alert(stored: &cells)
            let raised: Bool = try cells.next()
            if raised { try await Self.insert(AlertNotification.owed(.trigger, of: stored, to: channels, at: stored.raisedAt), session) }
            return (stored, raised)
        }
    }

    public func resolveAlert(id: String, at now: Date, notifying channels: [String]) async throws -> Alert? {
        try await transaction("resolving an alert") { session in
            guard let resolved = try await session.rows("""
                UPDATE alerts SET status = 'resolved', resolved_at = \(Self.milliseconds(now)) WHERE id = \(id) AND status = 'open'
                RETURNING \(unescaped: Alert.columnList)
                """).first.map(Alert.init(_:)) else { return nil }
            try await Self.insert(AlertNotification.owed(.resolve, of: resolved, to: channels, at: now), session)
            return resolved
        }
    }

    public func alerts(openOnly: Bool, code: AlertCode?, limit: Int) async throws -> [Alert] {
        try await read("listing alerts") { session in
            try await session.rows("""
                SELECT \(unescaped: Alert.columnList) FROM alerts
                WHERE (\(openOnly ? Alert.Status.open.rawValue : nil)::text IS NULL OR status = \(openOnly ? Alert.Status.open.rawValue : nil))
                  AND (\(code?.rawValue)::text IS NULL OR code = \(code?.rawValue))
                ORDER BY id DESC LIMIT \(Int64(clamping: limit))
                """).map(Alert.init(_:))
        }
    }

    public func alert(id: String) async throws -> Alert {
        try await read("reading an alert") { session in
            guard let alert = try await session.rows("SELECT \(unescaped: Alert.columnList) FROM alerts WHERE id = \(id)").first.map(Alert.init(_:)) else {
                throw PaymentError(.notFound, "no alert \(id)")
            }
            return alert
        }
    }

    public func acknowledgeAlert(id: String, by person: String, at now: Date) async throws -> Alert {
        try await transaction("acknowledging an alert") { session in
            try await session.count("""
                UPDATE alerts SET acknowledged_by = \(person), acknowledged_at = \(Self.milliseconds(now))
                WHERE id = \(id) AND acknowledged_by IS NULL
                """)
            guard let alert = try await session.rows("SELECT \(unescaped: Alert.columnList) FROM alerts WHERE id = \(id)").first.map(Alert.init(_:)) else {
                throw PaymentError(.notFound, "no alert \(id)")
            }
            return alert
        }
    }

    public func alertNotifications(alertID: String) async throws -> [AlertNotification] {
        try await read("reading an alert's messages") { session in
            try await session.rows("""
                SELECT \(unescaped: AlertNotification.columnList) FROM alert_notifications WHERE alert_id = \(alertID) ORDER BY id
                """).map(AlertNotification.init(_:))
        }
    }

    public func claimAlertNotifications(owner: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [AlertNotification] {
        try await transaction("claiming alert messages") { session in
            // SKIP LOCKED: workers on other instances claim other messages instead of waiting.
            try await session.rows("""
                UPDATE alert_notifications SET lease_owner = \(owner), lease_until = \(Self.milliseconds(leaseUntil))
                WHERE id IN (SELECT id FROM alert_notifications
                             WHERE status = 'pending' AND next_attempt_at <= \(Self.milliseconds(now))
                               AND (lease_until IS NULL OR lease_until <= \(Self.milliseconds(now)))
                             ORDER BY id LIMIT \(Int64(clamping: limit)) FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: AlertNotification.columnList)
                """).map(AlertNotification.init(_:)).sorted { $0.id < $1.id }
        }
    }

    public func recordAlertNotification(id: String, owner: String, status: AlertNotification.Status, retryAt: Date?, error: String?) async throws {
        _ = try await transaction("recording an alert message's delivery") { session in
            try await session.count("""
                UPDATE alert_notifications SET status = \(status.rawValue), attempts = attempts + 1,
                    next_attempt_at = COALESCE(\(retryAt.map(Self.milliseconds))::bigint, next_attempt_at), last_error = \(error),
                    lease_owner = NULL, lease_until = NULL
                WHERE id = \(id) AND lease_owner = \(owner)
                """)
        }
    }

    static func insert(_ notifications: [AlertNotification], _ session: Session) async throws {
        for notification in notifications {
            try await session.count("""
                INSERT INTO alert_notifications (\(unescaped: AlertNotification.columnList))
                VALUES (\(notification.id), \(notification.alertID), \(notification.channel), \(notification.event.rawValue),
                        \(notification.status.rawValue), \(notification.attempts), \(Self.milliseconds(notification.nextAttemptAt)),
                        \(notification.lastError), \(Self.milliseconds(notification.createdAt)))
                """)
        }
    }
}
