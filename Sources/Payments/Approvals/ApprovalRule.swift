/// How many approvers an item over an amount needs: `{"approvers": 2, "over_cents": 0}`. An item of
/// `over_cents` or less needs none.
public struct ApprovalRule: Sendable, Hashable, Codable {
    public var approvers: Int
    public var overCents: Int64

    public init(approvers: Int, overCents: Int64) {
        self.approvers = approvers
        self.overCents = overCents
    }

    /// The approvals an item of `amount` cents needs.
    public func required(for amount: Int64) -> Int { amount > overCents ? approvers : 0 }

    /// The approvals a file carrying `debit` and `credit` cents needs, by its gross amount (a sum
    /// past `Int64` is over every threshold).
    public func required(debit: Int64, credit: Int64) -> Int {
        let (gross, overflow) = debit.addingReportingOverflow(credit)
        return overflow ? approvers : required(for: gross)
    }

    enum CodingKeys: String, CodingKey { case approvers, overCents = "over_cents" }
}
