/// Checks a request document before it is decoded (RFC 8259): where the text stops being valid
/// JSON, with the line and column (Foundation's decoder only says that the data is not JSON), and
/// any object that names a member twice. RFC 8259 leaves duplicates to the reader and Foundation
/// keeps the first, while a proxy or a log may keep the last, so a request document must not have them.
public enum JSONSyntax {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: Sendable, Hashable {
            /// Not JSON: what the scanner expected at the position.
            case syntax(expected: String)
            /// A member name that appears twice in one object, by its path (`counterparty.name`, `metadata.a`).
            case duplicateMember(path: String)
        }
        /// 1-based line and column (in bytes) and 0-based byte offset of the first bad byte (for a
        /// duplicate: of its second name).
        public var line: Int
        public var column: Int
        public var offset: Int
        public var kind: Kind
        public var description: String {
            switch kind {
            case .syntax(let expected): "line \(line), column \(column): expected \(expected)"
            case .duplicateMember(let path): "line \(line), column \(column): \(path) appears twice in its object"
            }
        }
    }

    /// The first syntax error or duplicate member in `bytes`, or nil when they are one valid JSON
    /// value whose objects each name a member once.
    public static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var scanner = Scanner(bytes: bytes)
        do throws(Problem) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index < bytes.count { throw scanner.fail("end of input") }
            return nil
        } catch {
            return error
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        /// The path of the value being scanned, for naming a duplicate member.
        var path: [String] = []

        func fail(_ expected: String) -> Problem {
            failure(.syntax(expected: expected))
        }

        func failure(_ kind: Problem.Kind) -> Problem {
            var line = 1
            var lineStart = 0
            for position in 0..<min(index, bytes.count) where bytes[position] == UInt8(ascii: "\n") {
                line += 1
                lineStart = position + 1
            }
            return Problem(line: line, column: index - lineStart + 1, offset: index, kind: kind)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Problem) {
            guard current == byte else { throw fail(what) }
            index += 1
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < 64 else { throw fail("less nesting (at most 64 levels)") }
            guard let byte = current else { throw fail("a value") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("a value (object, array, string, number, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return }
            // Names compare as Swift strings (canonical equivalence), as the decoder's keys do.
            var names: Set<String> = []
            while true {
                guard current == UInt8(ascii: "\"") else { throw fail("a member name in double quotes") }
                let start = index
                let name = try string()
                guard names.insert(name).inserted else {
                    index = start
                    throw failure(.duplicateMember(path: (path + [name]).joined(separator: ".")))
                }
                skipSpace()
                try expect(UInt8(ascii: ":"), "':' after the member name")
                skipSpace()
                path.append(name)
                try value(depth: depth + 1)
                path.removeLast()
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; skipSpace(); continue }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return }
            var element = 0
            while true {
                path.append("[\(element)]")
                try value(depth: depth + 1)
                path.removeLast()
                element += 1
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; skipSpace(); continue }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        }

        /// Scans a string and returns its value with escapes decoded; an unpaired surrogate becomes
        /// U+FFFD, as in the decoder.
        @discardableResult
        mutating func string() throws(Problem) -> String {
            index += 1
            var decoded: [UInt8] = []
            var pendingHigh: UInt32?
            func emit(_ value: UInt32) {
                UTF8.encode(Unicode.Scalar(value) ?? "\u{FFFD}") { decoded.append($0) }
            }
            func settle() {
                if pendingHigh != nil { emit(0xFFFD) }
                pendingHigh = nil
            }
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    settle()
                    index += 1
                    return String(decoding: decoded, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = current else { throw fail("an escape character") }
                    if escaped == UInt8(ascii: "u") {
                        index += 1
                        var unit: UInt32 = 0
                        for _ in 0..<4 {
                            guard let hex = current, let digit = hex.hexValue else { throw fail("four hex digits after \\u") }
                            unit = unit << 4 | digit
                            index += 1
                        }
                        if let high = pendingHigh, (0xDC00...0xDFFF).contains(unit) {
                            emit(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00))
                            pendingHigh = nil
                        } else {
                            settle()
                            if (0xD800...0xDBFF).contains(unit) { pendingHigh = unit } else { emit(unit) }
                        }
                    } else if let scalar = Self.simpleEscapes[escaped] {
                        settle()
                        emit(scalar)
                        index += 1
                    } else {
                        throw fail("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
                    }
                case 0..<0x20: throw fail("no control characters inside a string")
                default:
                    settle()
                    decoded.append(byte)
                    index += 1
                }
            }
            throw fail("'\"' closing the string")
        }

        static let simpleEscapes: [UInt8: UInt32] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]

        mutating func literal(_ word: String) throws(Problem) {
            for byte in word.utf8 {
                guard current == byte else { throw fail("'\(word)'") }
                index += 1
            }
        }

        mutating func number() throws(Problem) {
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else {
                try digits()
            }
            if current == UInt8(ascii: ".") { index += 1; try digits() }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                try digits()
            }
        }

        mutating func digits() throws(Problem) {
            guard let first = current, first.isDigit else { throw fail("a digit") }
            while let byte = current, byte.isDigit { index += 1 }
        }
    }
}

extension JSONSyntax.Problem: Error {}

private extension UInt8 {
    var isDigit: Bool { (0x30...0x39).contains(self) }
    var hexValue: UInt32? {
        switch self {
        case 0x30...0x39: UInt32(self - 0x30)
        case 0x41...0x46: UInt32(self - 0x41 + 10)
        case 0x61...0x66: UInt32(self - 0x61 + 10)
        default: nil
        }
    }
}
