import Foundation

public enum AccountType: String, Sendable, Hashable, Codable, CaseIterable {
    case checking, savings
}
