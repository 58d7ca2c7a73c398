extension WebhookEndpoint: StoredModel {
    public static let storedColumns = ["id", "merchant_id", "url", "event_types", "enabled", "disabled_reason", "failing_since", "created_at", "allow_private"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let id = try row.string(), merchantID = try row.string(), url = try row.string(), types = try row.string()
        self.init(id: id, merchantID: merchantID, url: url,
                  eventTypes: types == Self.everyEventType ? [] : try types.split(separator: ",").map {
                      try StoredColumn.decode(String($0), as: WebhookEventType.self, table: "webhook_endpoints", column: "event_types")
                  },
                  enabled: try row.bool(), disabledReason: try row.optionalString(), failingSince: try row.optionalDate(),
                  createdAt: try row.date(), allowsPrivateAddresses: try row.bool())
    }

    /// How `event_types` stores a filter: `*` for every type, else the types comma-separated.
    public static func storedEventTypes(_ types: [WebhookEventType]) -> String {
        types.isEmpty ? everyEventType : types.map(\.rawValue).joined(separator: ",")
    }

    private static let everyEventType = "*"
}
