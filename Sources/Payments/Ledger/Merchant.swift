import Foundation

/// A merchant: an originator with its company identity in the batch header and a funding balance.
public struct Merchant: Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    /// Batch header company identification (10 characters, e.g. `1` + EIN).
    public var companyID: String
    /// Batch header company name (16 characters).
    public var companyName: String
    /// Available funding in cents: funded amounts less credits reserved.
    public var balance: Int64
    public var createdAt: Date
    public static let idPrefix = "mer"

    public init(id: String, name: String, companyID: String, companyName: String, balance: Int64, createdAt: Date) {
        self.id = id
        self.name = name
        self.companyID = companyID
        self.companyName = companyName
        self.balance = balance
        self.createdAt = createdAt
    }
}
