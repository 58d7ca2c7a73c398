import Foundation
import NACHA

/// A kind of outbound file: NACHA today, Positive Pay issue files next. Each kind has its renderer;
/// a struct rather than an enum so that a test can define a kind of its own.
public struct OutboundFileKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let nacha = OutboundFileKind(rawValue: "nacha")
}
