/// The ledger's tables as every store has them, in an order in which each row's references are
/// copied before it, each with the key that orders its rows the same way in every store.
public struct LedgerTable: Sendable, Hashable {
    public var name: String
    /// The primary key's columns; rows are compared in this order (text by its bytes).
    public var key: [String]

    public static let all: [LedgerTable] = [
        .init(name: "merchants", key: ["id"]), .init(name: "imports", key: ["id"]),
        .init(name: "outbound_files", key: ["id"]), .init(name: "nacha_files", key: ["file_id"]),
        .init(name: "sealed_files", key: ["file_id"]),
        .init(name: "delivery_failures", key: ["id"]), .init(name: "payments", key: ["id"]), .init(name: "funding_ledger", key: ["id"]),
        .init(name: "staged_funds", key: ["id"]), .init(name: "payment_history", key: ["id"]),
        .init(name: "idempotency_keys", key: ["merchant_id", "key"]), .init(name: "trace_sequences", key: ["odfi"]),
        .init(name: "leases", key: ["name"]), .init(name: "inbound_files", key: ["id"]),
        .init(name: "counterparty_corrections", key: ["id"]), .init(name: "settled_batches", key: ["file_id", "batch_number"]),
        .init(name: "api_keys", key: ["id"]), .init(name: "webhook_endpoints", key: ["id"]),
        .init(name: "webhook_secrets", key: ["id"]), .init(name: "webhook_events", key: ["id"]),
        .init(name: "webhook_deliveries", key: ["id"]), .init(name: "webhook_attempts", key: ["id"]),
        .init(name: "check_accounts", key: ["id"]), .init(name: "check_issues", key: ["id"]),
        .init(name: "check_history", key: ["id"]), .init(name: "check_exceptions", key: ["id"]),
        .init(name: "check_decisions", key: ["id"]), .init(name: "decision_history", key: ["id"]),
        .init(name: "operators", key: ["id"]), .init(name: "operator_history", key: ["id"]),
        .init(name: "approvals", key: ["id"]), .init(name: "audit_log", key: ["sequence"]), .init(name: "audit_head", key: ["id"]),
    ]
}
