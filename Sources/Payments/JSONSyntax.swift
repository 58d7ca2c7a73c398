/// Finds where a JSON text stops being valid (RFC 8259), to tell a client the line and column.
/// Foundation's decoder only says that the data is not JSON; this scanner only checks syntax.
public enum JSONSyntax {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// 1-based line and column (in bytes) and 0-based byte offset of the first bad byte.
        public var line: Int
        public var column: Int
        public var offset: Int
        public var expected: String
        public var description: String { "line \(line), column \(column): expected \(expected)" }
    }

    /// The first syntax error in `bytes`, or nil when they are one valid JSON value.
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

        func fail(_ expected: String) -> Problem {
            var line = 1
            var lineStart = 0
            for position in 0..<min(index, bytes.count) where bytes[position] == UInt8(ascii: "\n") {
                line += 1
                lineStart = position + 1
            }
            return Problem(line: line, column: index - lineStart + 1, offset: index, expected: expected)
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
            while true {
                guard current == UInt8(ascii: "\"") else { throw fail("a member name in double quotes") }
                try string()
                skipSpace()
                try expect(UInt8(ascii: ":"), "':' after the member name")
                skipSpace()
                try value(depth: depth + 1)
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
            while true {
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; skipSpace(); continue }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        }

        mutating func string() throws(Problem) {
            index += 1
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""): index += 1; return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = current else { throw fail("an escape character") }
                    if escaped == UInt8(ascii: "u") {
                        index += 1
                        for _ in 0..<4 {
                            guard let hex = current, hex.isHexDigit else { throw fail("four hex digits after \\u") }
                            index += 1
                        }
                    } else if Array("\"\\/bfnrt".utf8).contains(escaped) {
                        index += 1
                    } else {
                        throw fail("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
                    }
                case 0..<0x20: throw fail("no control characters inside a string")
                default: index += 1
                }
            }
            throw fail("'\"' closing the string")
        }

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
    var isHexDigit: Bool { isDigit || (0x41...0x46).contains(self) || (0x61...0x66).contains(self) }
}
