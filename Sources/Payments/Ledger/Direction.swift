import Foundation

public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Pay out to the counterparty.
    case credit
    /// Collect from the counterparty.
    case debit
}
