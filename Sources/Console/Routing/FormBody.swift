/// `application/x-www-form-urlencoded` fields, as browsers send forms and query strings. A field
/// given twice keeps its first value; malformed escapes are kept as they are, never a crash.
enum FormBody {
    static func parse(_ text: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            guard !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func decode(_ text: Substring) -> String {
        let plain = text.replacingOccurrences(of: "+", with: " ")
        return plain.removingPercentEncoding ?? plain
    }

    /// `name=value&…` with each value escaped, for links that carry a list's filters.
    static func encode(_ fields: [(String, String)]) -> String {
        fields.filter { !$0.1.isEmpty }.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&")
    }

    /// `text` with everything but unreserved characters percent-escaped: safe in a path segment or a query value.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved: CharacterSet = {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}

import Foundation
