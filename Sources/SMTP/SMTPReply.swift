/// One answer of the server: a three-digit code and its lines (`250-first`, `250 last`).
struct SMTPReply: Sendable, Hashable {
    var code: Int
    var lines: [String]

    /// The answer as the server sent it, lines joined: what an error shows.
    var text: String {
        lines.map { "\(code) \($0)" }.joined(separator: " / ")
    }

    /// The EHLO answer's extensions (every line but the greeting), by upper-cased keyword, with
    /// their parameters: `AUTH PLAIN LOGIN` → `["AUTH": ["PLAIN", "LOGIN"]]`.
    var extensions: [String: [String]] {
        var found: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            if let keyword = words.first { found[keyword] = Array(words.dropFirst()) }
        }
        return found
    }

    /// Reads one line of an answer: its code, whether more lines follow, and its text.
    static func parse(line: String) -> (code: Int, more: Bool, text: String)? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: bytes[0...2], as: UTF8.self)), (200...599).contains(code) else { return nil }
        guard bytes.count > 3 else { return (code, false, "") }
        guard bytes[3] == UInt8(ascii: "-") || bytes[3] == UInt8(ascii: " ") else { return nil }
        return (code, bytes[3] == UInt8(ascii: "-"), String(decoding: bytes[4...], as: UTF8.self))
    }
}
