import Foundation

/// The JSON every document goes out as (API bodies, stored first responses): sorted keys, so the same
/// value always encodes to the same bytes, and unescaped slashes.
public enum DocumentJSON {
    public static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            preconditionFailure("documents hold only strings, numbers, booleans, arrays and objects: \(error)")
        }
    }
}
