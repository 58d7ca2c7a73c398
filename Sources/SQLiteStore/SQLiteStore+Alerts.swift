import Foundation
import GRDB
import Payments

extension SQLiteStore: AlertStore {
    public func raiseAlert(_ alert: Alert, notifying channels: [String]) async throws -> (alert: Alert, raised: Bool) {
        try await write("raising an alert") { db in
            // The single writer: the open alert read here is still the open one when it is seen again.
            if let open = try Row.fetchOne(db, sql: "SELECT \(Alert.columnList) FROM alerts WHERE code = ? AND key = ? AND status = 'open'",
                                           arguments: [alert.code.rawValue, alert.key]).map(Alert.init(_:)) {
                try db.execute(sql: "UPDATE alerts SET count = count + 1, last_seen_at = ?, summary = ? WHERE id = ?",
                               arguments: [Self.milliseconds(alert.lastSeenAt), alert.summary, open.id])
                var seen = open
                (seen.count, seen.lastSeenAt, seen.summary) = (open.count + 1, alert.lastSeenAt, alert.summary)
                return (seen, false)
            }
            try db.execute(sql: "INSERT INTO alerts (\(Alert.columnList)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
                alert.id, alert.code.rawValue, alert.severity.rawValue, alert.key, alert.summary, alert.status.rawValue, alert.count,
                Self.milliseconds(alert.raisedAt), Self.milliseconds(alert.lastSeenAt), alert.resolvedAt.map(Self.milliseconds),
                alert.acknowledgedBy, alert.acknowledgedAt.map(Self.milliseconds),
            ])
            try Self.insert(AlertNotification.owed(.trigger, of: alert, to: channels, at: alert.raisedAt), db)
            return (alert, true)
        }
    }

    public func resolveAlert(id: String, at now: Date, notifying channels: [String]) async throws -> Alert? {
        try await write("resolving an alert") { db in
            try db.execute(sql: "UPDATE alerts SET status = 'resolved', resolved_at = ? WHERE id = ? AND status = 'open'",
                           arguments: [Self.milliseconds(now), id])
            guard db.changesCount == 1,
                  let resolved = try Row.fetchOne(db, sql: "SELECT \(Alert.columnList) FROM alerts WHERE id = ?", arguments: [id]).map(Alert.init(_:))
            else { return nil }
            try Self.insert(AlertNotification.owed(.resolve, of: resolved, to: channels, at: now), db)
            return resolved
        }
    }

    public func alerts(openOnly: Bool, code: AlertCode?, limit: Int) async throws -> [Alert] {
        try await read("listing alerts") { db in
            var filter = SQLiteFilter()
            filter.add("status = ?", openOnly ? Alert.Status.open.rawValue : nil)
            filter.add("code = ?", code?.rawValue)
            return try Row.fetchAll(db, sql: "SELECT \(Alert.columnList) FROM alerts \(filter.whereClause) ORDER BY id DESC LIMIT ?",
                                    arguments: filter.arguments + [Int64(clamping: limit)]).map(Alert.init(_:))
        }
    }

    public func alert(id: String) async throws -> Alert {
        try await read("reading an alert") { db in
            guard let alert = try Row.fetchOne(db, sql: "SELECT \(Alert.columnList) FROM alerts WHERE id = ?", arguments: [id]).map(Alert.init(_:)) else {
                throw PaymentError(.notFound, "no alert \(id)")
            }
            return alert
        }
    }

    public func acknowledgeAlert(id: String, by person: String, at now: Date) async throws -> Alert {
        try await write("acknowledging an alert") { db in
            try db.execute(sql: "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_by IS NULL",
                           arguments: [person, Self.milliseconds(now), id])
            guard let alert = try Row.fetchOne(db, sql: "SELECT \(Alert.columnList) FROM alerts WHERE id = ?", arguments: [id]).map(Alert.init(_:)) else {
                throw PaymentError(.notFound, "no alert \(id)")
            }
            return alert
        }
    }

    public func alertNotifications(alertID: String) async throws -> [AlertNotification] {
        try await read("reading an alert's messages") { db in
            try Row.fetchAll(db, sql: "SELECT \(AlertNotification.columnList) FROM alert_notifications WHERE alert_id = ? ORDER BY id",
                             arguments: [alertID]).map(AlertNotification.init(_:))
        }
    }

    public func claimAlertNotifications(owner: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [AlertNotification] {
        try await write("claiming alert messages") { db in
            let due = try Row.fetchAll(db, sql: """
                SELECT \(AlertNotification.columnList) FROM alert_notifications
                WHERE status = 'pending' AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1) ORDER BY id LIMIT ?2
                """, arguments: [Self.milliseconds(now), limit]).map(AlertNotification.init(_:))
            for notification in due {
                try db.execute(sql: "UPDATE alert_notifications SET lease_owner = ?, lease_until = ? WHERE id = ?",
                               arguments: [owner, Self.milliseconds(leaseUntil), notification.id])
            }
            return due
        }
    }

    public func recordAlertNotification(id: String, owner: String, status: AlertNotification.Status, retryAt: Date?, error: String?) async throws {
        try await write("recording an alert message's delivery") { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at),
                    last_error = ?, lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND lease_owner = ?
                """, arguments: [status.rawValue, retryAt.map(Self.milliseconds), error, id, owner])
        }
    }

    static func insert(_ notifications: [AlertNotification], _ db: Database) throws {
        for notification in notifications {
            try db.execute(sql: "INSERT INTO alert_notifications (\(AlertNotification.columnList)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
                notification.id, notification.alertID, notification.channel, notification.event.rawValue, notification.status.rawValue,
                notification.attempts, Self.milliseconds(notification.nextAttemptAt), notification.lastError,
                Self.milliseconds(notification.createdAt),
            ])
        }
    }
}
