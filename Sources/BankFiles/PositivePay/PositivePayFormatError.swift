import NACHA

/// A Positive Pay file (issue file or ARP output) that does not follow its layout: which line, and why.
public struct PositivePayFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A record is not the layout's length, or a field does not hold what the layout says.
        public static let malformedRecord = Code(rawValue: "malformed_record")
        /// A trailer's count or total does not match the details before it.
        public static let controlMismatch = Code(rawValue: "control_mismatch")
        /// A value does not fit its field (too long, not digits): nothing is written.
        public static let unrepresentable = Code(rawValue: "unrepresentable")
    }

    public var code: Code
    /// 1-based; 0 when the problem is the file as a whole.
    public var line: Int
    public var message: String

    public init(_ code: Code, line: Int, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// Fixed-width field helpers the three layouts share.
enum FixedWidth {
    /// `digits` right-justified and zero-filled to `width`; nil when it is not digits or too long.
    static func zeroFilled(_ digits: some StringProtocol, _ width: Int) -> String? {
        guard digits.utf8.count <= width, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return String(repeating: "0", count: width - digits.utf8.count) + digits
    }

    static func zeroFilled(_ value: Int64, _ width: Int) -> String? { value >= 0 ? zeroFilled(String(value), width) : nil }

    /// Printable ASCII text left-justified and space-filled to `width`; nil when too long or not printable.
    static func spaceFilled(_ text: some StringProtocol, _ width: Int) -> String? {
        guard text.utf8.count <= width, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return text + String(repeating: " ", count: width - text.utf8.count)
    }

    /// Characters `from...to` (1-based, inclusive) of an ASCII line.
    static func field(_ line: [UInt8], _ from: Int, _ to: Int) -> String {
        String(decoding: line[(from - 1)..<min(to, line.count)], as: UTF8.self)
    }

    /// A field's text without the spaces that fill it.
    static func trimmingTrailingSpaces(_ text: String) -> String { String(text.reversed().drop { $0 == " " }.reversed()) }

    static func isDigits(_ text: some StringProtocol) -> Bool { !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) } }

    /// Lines split on LF with a CR before it dropped; a final empty line is not a line, nor a final Ctrl-Z.
    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines = EndOfFileMarker.trimmed(bytes).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? Array(line.dropLast()) : Array(line)
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// A `YYYYMMDD` that names a real calendar day.
    static func isDate(yyyymmdd text: String) -> Bool {
        guard let date = ACHDate(yyyymmdd: text) else { return false }
        return date.year >= 1900
    }
}
