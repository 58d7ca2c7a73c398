/// Byte-level case mapping and trimming for text that is almost always ASCII (NACHA fields, UUIDs,
/// CSV cells). Foundation's and the standard library's Unicode-aware versions cost more than the
/// rest of validating a row; these return the same result and fall back to them for anything else.
enum ASCIIText {
    static func uppercased(_ text: String) -> String {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.uppercased() }
        guard text.utf8.contains(where: { (0x61...0x7A).contains($0) }) else { return text }
        return String(decoding: text.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    static func lowercased(_ text: String) -> String {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.lowercased() }
        guard text.utf8.contains(where: { (0x41...0x5A).contains($0) }) else { return text }
        return String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// `text` without the spaces (U+0020 only) at either end.
    static func trimmingSpaces(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.first == 0x20 || utf8.last == 0x20 else { return text }
        guard let first = utf8.firstIndex(where: { $0 != 0x20 }), let last = utf8.lastIndex(where: { $0 != 0x20 }) else { return "" }
        return String(text[first...last])
    }
}
