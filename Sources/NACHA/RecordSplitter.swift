#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a byte stream into 94-character records the way real banks send them: LF or CRLF after
/// each record, no final newline, all records on one line, short lines with trailing spaces
/// stripped, trailing spaces after a record. Works on chunks so files larger than memory stream.
struct RecordSplitter {
    /// What the splitter had to repair in a record; the parser turns it into a diagnostic.
    enum Repair {
        case none
        /// The line was shorter than 94 characters and was padded with spaces; the value is its length.
        case padded(Int)
        /// The line was longer than 94 characters and not made of whole records; the value is its length.
        case overlong(Int)
    }

    private var pending: [UInt8] = []
    private var scratch = [UInt8](repeating: 0x20, count: NACHA.recordLength)
    private(set) var recordNumber = 0

    /// Feeds a chunk; complete lines are split into records and handed to `body` with their number.
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int, Repair) -> Void) {
        var lineStart = 0
        let count = chunk.count
        guard let base = chunk.baseAddress else { return }
        while lineStart < count {
            guard let found = memchr(base + lineStart, 0x0A, count - lineStart) else { break }
            let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if pending.isEmpty {
                emitLine(UnsafeBufferPointer(rebasing: chunk[lineStart..<index]), body)
            } else {
                pending.append(contentsOf: chunk[lineStart..<index])
                let line = pending
                pending.removeAll(keepingCapacity: true)
                line.withUnsafeBufferPointer { emitLine($0, body) }
            }
            lineStart = index + 1
        }
        if lineStart < count { pending.append(contentsOf: chunk[lineStart..<count]) }
        // A file on one line never meets an LF: emit its whole records as they arrive.
        if pending.count >= NACHA.recordLength * 64 {
            let whole = pending.count - pending.count % NACHA.recordLength - NACHA.recordLength
            let head = Array(pending[0..<whole])
            pending.removeFirst(whole)
            head.withUnsafeBufferPointer { emitLine($0, body) }
        }
    }

    /// Emits whatever is left after the last LF.
    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>, Int, Repair) -> Void) {
        guard !pending.isEmpty else { return }
        let line = pending
        pending.removeAll()
        line.withUnsafeBufferPointer { emitLine($0, body) }
    }

    private mutating func emitLine(_ raw: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int, Repair) -> Void) {
        var length = raw.count
        if length > 0, raw[length - 1] == 0x0D { length -= 1 }
        guard length > 0 else { return }
        let line = UnsafeBufferPointer(rebasing: raw[0..<length])
        if length == NACHA.recordLength {
            recordNumber += 1
            body(line, recordNumber, .none)
            return
        }
        var trimmed = length
        while trimmed > NACHA.recordLength, line[trimmed - 1] == 0x20 { trimmed -= 1 }
        if trimmed == NACHA.recordLength {
            recordNumber += 1
            body(UnsafeBufferPointer(rebasing: line[0..<NACHA.recordLength]), recordNumber, .none)
            return
        }
        if length < NACHA.recordLength {
            emitPadded(line, repair: .padded(length), body)
            return
        }
        // Several records on one line: whole 94-character chunks, then a padded remainder.
        let repair: Repair = length % NACHA.recordLength == 0 ? .none : .overlong(length)
        var start = 0
        while start + NACHA.recordLength <= length {
            recordNumber += 1
            body(UnsafeBufferPointer(rebasing: line[start..<(start + NACHA.recordLength)]), recordNumber, .none)
            start += NACHA.recordLength
        }
        if start < length {
            emitPadded(UnsafeBufferPointer(rebasing: line[start..<length]), repair: repair, body)
        }
    }

    private mutating func emitPadded(_ bytes: UnsafeBufferPointer<UInt8>, repair: Repair, _ body: (UnsafeBufferPointer<UInt8>, Int, Repair) -> Void) {
        recordNumber += 1
        for index in 0..<NACHA.recordLength { scratch[index] = index < bytes.count ? bytes[index] : 0x20 }
        let number = recordNumber
        scratch.withUnsafeBufferPointer { body($0, number, repair) }
    }
}
