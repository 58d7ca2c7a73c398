import Foundation

/// Storage of approval decisions. The decisions themselves are written with the change they make,
/// in the plan that makes it (`LedgerPlan.approvals`), so an approval and what it releases are one
/// transaction; a second decision with the same ordinal on an item is a `conflict`.
public protocol ApprovalStore: Sendable {
    /// The decisions on these items (nil: on every item), oldest first.
    func approvals(subjectIDs: [String]?) async throws -> [Approval]
    /// The names of the people who made what a file carries: whoever created or imported a payment
    /// in it, issued or voided a check in it, or decided an exception it sends.
    func fileMakers(fileID: String) async throws -> Set<String>
}
