extension Alert: StoredModel {
    public static let storedColumns = ["id", "code", "severity", "key", "summary", "status", "count", "raised_at", "last_seen_at",
                                       "resolved_at", "acknowledged_by", "acknowledged_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "alerts"
        let id = try row.string()
        let code: AlertCode = try row.decode(table, "code")
        let severity: AlertSeverity = try row.decode(table, "severity")
        let key = try row.string(), summary = try row.string()
        let status: Status = try row.decode(table, "status")
        self.init(id: id, code: code, severity: severity, key: key, summary: summary, status: status, count: try row.int(),
                  raisedAt: try row.date(), lastSeenAt: try row.date(), resolvedAt: try row.optionalDate(),
                  acknowledgedBy: try row.optionalString(), acknowledgedAt: try row.optionalDate())
    }
}

extension AlertNotification: StoredModel {
    public static let storedColumns = ["id", "alert_id", "channel", "event", "status", "attempts", "next_attempt_at", "last_error", "created_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "alert_notifications"
        let id = try row.string(), alertID = try row.string(), channel = try row.string()
        let event: Event = try row.decode(table, "event")
        let status: Status = try row.decode(table, "status")
        self.init(id: id, alertID: alertID, channel: channel, event: event, status: status, attempts: try row.int(),
                  nextAttemptAt: try row.date(), lastError: try row.optionalString(), createdAt: try row.date())
    }
}
