/// A sum of amounts in cents that never traps: every total metl reads from a bank file or writes
/// into one is kept in one of these, so a value past what 64 bits hold is an answer (`add` returns
/// false, and the caller names the line) rather than a crash of a scheduled job.
public struct CheckedTotal: Sendable, Hashable {
    public private(set) var value: Int64 = 0

    public init() {}

    /// Adds `amount`; false, leaving the total as it was, when the sum does not fit.
    @discardableResult
    public mutating func add(_ amount: Int64) -> Bool {
        let (sum, overflow) = value.addingReportingOverflow(amount)
        guard !overflow else { return false }
        value = sum
        return true
    }

    /// The sum of `amounts`, or nil when it does not fit.
    public static func sum(_ amounts: some Sequence<Int64>) -> Int64? {
        var total = CheckedTotal()
        for amount in amounts where !total.add(amount) { return nil }
        return total.value
    }
}
