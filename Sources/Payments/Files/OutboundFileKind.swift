import Foundation

/// A kind of outbound file: NACHA, Positive Pay issue files. Each kind has its renderer;
/// a struct rather than an enum so that a test can define a kind of its own.
public struct OutboundFileKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let nacha = OutboundFileKind(rawValue: "nacha")
    /// Check Positive Pay issue files (issues and voids), in the account's layout.
    public static let positivePay = OutboundFileKind(rawValue: "positive-pay")
    /// Pay or return decisions on Positive Pay exceptions.
    public static let decisions = OutboundFileKind(rawValue: "decisions")
    /// The kinds metl renders.
    public static let rendered: [OutboundFileKind] = [.nacha, .positivePay, .decisions]
}
