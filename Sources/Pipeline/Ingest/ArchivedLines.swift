import BankFiles

/// An archived text report read a line at a time, so that a file of any size is held one piece
/// and one line at a time: lines split on LF with a CR before it dropped, a final empty line and a
/// final DOS end-of-file marker (Ctrl-Z) not lines, numbered from 1.
struct ArchivedLines {
    /// A line longer than this is not a bank record: the reader stops there rather than hold it.
    static let maximumLineBytes = 64 << 10
    private let reader: Archive.PieceReader
    private var buffer: [UInt8] = []
    private var start = 0
    private var number = 0
    private var ended = false

    init(_ reader: Archive.PieceReader) {
        self.reader = reader
    }

    /// The next line and its number, or nil at the end; a line past `maximumLineBytes` refuses the file.
    mutating func next() throws -> (number: Int, bytes: [UInt8])? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var line = Array(buffer[start..<newline])
                start = newline + 1
                if line.last == 0x0D { line.removeLast() }
                number += 1
                if line == [EndOfFileMarker.byte], try onlyLineEndsFollow() { return nil }
                return (number, line)
            }
            if ended {
                var line = Array(buffer[start...])
                buffer = []
                start = 0
                if line.last == 0x0D { line.removeLast() }
                guard !line.isEmpty, line != [EndOfFileMarker.byte] else { return nil }
                number += 1
                return (number, line)
            }
            guard buffer.count - start <= Self.maximumLineBytes else {
                throw InboundQuarantine(reason: "line \(number + 1) runs past \(Self.maximumLineBytes) bytes; not a bank report's line")
            }
            try readPiece()
        }
    }

    private mutating func readPiece() throws {
        buffer.removeFirst(start)
        start = 0
        if let piece = try reader.next() { buffer += piece } else { ended = true }
    }

    /// Whether nothing but line endings and spaces follow, to the end of the file.
    private mutating func onlyLineEndsFollow() throws -> Bool {
        while true {
            guard buffer[start...].allSatisfy({ [0x0A, 0x0D, 0x20].contains($0) }) else { return false }
            if ended { return true }
            try readPiece()
        }
    }
}
