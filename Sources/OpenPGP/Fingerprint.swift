/// A key's full fingerprint: 40 upper-case hex characters (a v4 key). Short and long key ids are
/// refused: they can collide, a fingerprint does not in practice.
public struct Fingerprint: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let hex: String

    /// Accepts upper or lower case and the spaces `gpg` prints between groups.
    public init(_ text: String) throws(OpenPGPError) {
        let compact = text.filter { $0 != " " }.uppercased()
        guard compact.utf8.count == 40, compact.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) }) else {
            throw OpenPGPError(.invalidFingerprint, "a fingerprint is the key's full 40 hex characters, not a short id")
        }
        hex = compact
    }

    public var description: String { hex }
    public static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        hex = try Fingerprint(try decoder.singleValueContainer().decode(String.self)).hex
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
