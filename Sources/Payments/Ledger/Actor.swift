/// Who caused a state change, as recorded in payment history.
public struct Actor: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let api = Actor(rawValue: "api")
    public static let cli = Actor(rawValue: "cli")
    public static let cutoff = Actor(rawValue: "metl-cutoff")
    public static let bankFile = Actor(rawValue: "bank-file")
    public static let `operator` = Actor(rawValue: "operator")
}
