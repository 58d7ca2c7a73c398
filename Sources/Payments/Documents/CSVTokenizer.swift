/// RFC 4180 fields: commas, double-quoted fields with `""` escapes and embedded newlines, CRLF or LF.
/// It works on the UTF-8 bytes: an unquoted field (nearly all of them) becomes a `String` straight from
/// its byte range, and only a quoted one is copied byte by byte to undo its escapes.
///
/// It reads a file in pieces: `records(in:final:)` returns the records the bytes so far complete and
/// keeps the unfinished last one for the next piece, so a file of any size is read with one piece
/// and one record in memory.
public struct CSVTokenizer {
    public typealias Record = (line: Int, fields: [String])

    /// The bytes of the record not finished by the last piece.
    private var carry: [UInt8] = []
    /// The line the next record starts on.
    private var line = 1
    /// Fields in the last record, to size the next one's array.
    private var width = 0

    public init() {}

    /// How many bytes of an unfinished record are held for the next piece: a reader bounds it.
    public var pendingBytes: Int { carry.count }

    /// The records of a whole text.
    public static func records(_ text: String) throws(PaymentError.FieldError) -> [Record] {
        var tokenizer = CSVTokenizer()
        return try tokenizer.records(in: Array(text.utf8), final: true)
    }

    /// The records that `piece` completes; with `final`, the text ends with it. Blank lines are skipped.
    public mutating func records(in piece: some Collection<UInt8>, final: Bool) throws(PaymentError.FieldError) -> [Record] {
        carry.append(contentsOf: piece)
        var records: [Record] = []
        var start = 0
        while start < carry.count {
            guard let (fields, next, lines) = try Self.record(carry, from: start, line: line, width: width, final: final) else { break }
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((line, fields)) }
            width = fields.count
            line += lines
            start = next
        }
        carry.removeFirst(start)
        return records
    }

    /// The record starting at `start`: its fields, where the next one starts and how many line
    /// breaks it spans; nil when the bytes end before it does and more may follow.
    private static func record(_ bytes: [UInt8], from start: Int, line recordLine: Int, width: Int,
                               final: Bool) throws(PaymentError.FieldError) -> (fields: [String], next: Int, lines: Int)? {
        let (comma, quote, cr, lf) = (UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(0x0D), UInt8(0x0A))
        let end = bytes.count
        var index = start
        var line = recordLine
        var fields: [String] = []
        fields.reserveCapacity(width)
        while true {
            if index < end, bytes[index] == quote {
                index += 1
                var value: [UInt8] = []
                var closed = false
                while index < end {
                    let byte = bytes[index]
                    index += 1
                    if byte == quote {
                        // At the end of the bytes a closing quote might still be the first of an escape.
                        if index == end && !final { return nil }
                        guard index < end, bytes[index] == quote else {
                            closed = true
                            break
                        }
                        index += 1
                    } else if byte == lf {
                        line += 1
                    }
                    value.append(byte)
                }
                guard closed else {
                    if !final { return nil }
                    throw .init(field: "line \(recordLine)", code: "malformed_csv", message: "has an unterminated quoted field")
                }
                fields.append(String(decoding: value, as: UTF8.self))
                if index < end, bytes[index] == cr {
                    if index + 1 == end && !final { return nil }
                    if index + 1 < end, bytes[index + 1] == lf { index += 1 }
                }
                if index < end, bytes[index] != comma, bytes[index] != lf {
                    throw .init(field: "line \(line)", code: "malformed_csv", message: "has text after a closing quote")
                }
            } else {
                let fieldStart = index
                while index < end, bytes[index] != comma, bytes[index] != lf, bytes[index] != quote { index += 1 }
                if index < end, bytes[index] == quote {
                    throw .init(field: "line \(line)", code: "malformed_csv", message: "has a quote inside an unquoted field")
                }
                // A CR is part of the line ending only right before its LF.
                let stop = index < end && bytes[index] == lf && index > fieldStart && bytes[index - 1] == cr ? index - 1 : index
                fields.append(String(decoding: bytes[fieldStart..<stop], as: UTF8.self))
            }
            if index >= end {
                return final ? (fields, index, line - recordLine) : nil
            }
            if bytes[index] == lf { return (fields, index + 1, line + 1 - recordLine) }
            index += 1
        }
    }
}
