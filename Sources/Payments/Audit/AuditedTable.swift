/// The append-only tables whose rows the audit log covers, each row written by exactly one change
/// set (its `change_set` column) and digested, in id order, with the columns listed here. Every
/// other table holds state these rows explain (a payment's state is its history's last row) or
/// operational bookkeeping (leases, delivery claims).
public struct AuditedTable: Sendable, Hashable {
    public var name: String
    /// Every column but the id and the change set, in digest order.
    public var columns: [String]

    public static let all: [AuditedTable] = [
        .init(name: "payment_history", columns: history("payment_id")),
        .init(name: "check_history", columns: history("check_id")),
        .init(name: "decision_history", columns: history("decision_id")),
        .init(name: "funding_ledger", columns: ["merchant_id", "payment_id", "kind", "amount_cents", "balance_after_cents", "actor",
                                                "reference", "created_at"]),
        .init(name: "approvals", columns: ["id", "subject", "subject_id", "ordinal", "operator", "decision", "sha256", "reason", "created_at"]),
        .init(name: "operator_history", columns: ["operator_id", "version", "actor", "change", "created_at"]),
        .init(name: "delivery_failures", columns: ["file_id", "failed_at", "error"]),
    ]

    private static func history(_ request: String) -> [String] {
        [request, "version", "from_state", "to_state", "actor", "reason_code", "reason_text", "source_file", "source_line", "created_at"]
    }

    /// The position in `columns` of who wrote the row, when the table says.
    public var actorIndex: Int? { columns.firstIndex(of: "actor") ?? columns.firstIndex(of: "operator") }
}
