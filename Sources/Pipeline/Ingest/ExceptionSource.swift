import BankFiles
import Foundation
import Payments

/// Where a bank's exceptions come from: metl's canonical exception file today
/// (`CanonicalExceptionFile`); a bank's API or portal export is another source with the same answer.
/// A source hands on one record at a time, so a file of any size is read in constant memory.
public protocol ExceptionSource {
    /// The next record and the line (or position) it came from: the exception as the bank presents
    /// it, or why this one record cannot be taken (the others still are); nil at the end. A source
    /// that cannot be trusted as a whole (its header, its quoting) throws `InboundQuarantine`.
    mutating func next() throws -> (line: Int, record: Result<PresentedException, RefusedRecord>)?
}

/// A record of a bank file that is not taken, and why: noted on the file, never applied.
public struct RefusedRecord: Error, Sendable, Hashable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// metl's canonical exception file: a CSV with the header
/// `exception_id,account_number,serial,presented_amount,issued_amount,payee,reason,default_decision,decision_deadline`,
/// amounts in cents (`issued_amount` empty when nothing was issued), the deadline RFC 3339. It is
/// read from the archive a piece at a time.
public struct CanonicalExceptionFile: ExceptionSource {
    public static let header = ["exception_id", "account_number", "serial", "presented_amount", "issued_amount", "payee", "reason",
                                "default_decision", "decision_deadline"]
    /// A record longer than this is not a bank's exception: the quoting went wrong, and the file is not trusted.
    static let maximumRecordBytes = 64 << 10
    private let reader: Archive.PieceReader
    /// Deadlines at or before this are refused: the bank's default already applies.
    private let now: Date
    private var tokenizer = CSVTokenizer()
    private var waiting: [CSVTokenizer.Record] = []
    private var readHeader = false
    private var ended = false

    init(reader: Archive.PieceReader, now: Date) {
        self.reader = reader
        self.now = now
    }

    /// Whether these first bytes are the canonical exception file's header.
    public static func recognises(_ head: [UInt8]) -> Bool {
        head.starts(with: Array((header.joined(separator: ",")).utf8))
    }

    public mutating func next() throws -> (line: Int, record: Result<PresentedException, RefusedRecord>)? {
        while waiting.isEmpty {
            guard !ended else { return nil }
            let piece = try reader.next()
            ended = piece == nil
            do {
                waiting = try tokenizer.records(in: piece ?? [], final: ended)
            } catch {
                throw InboundQuarantine(reason: "invalid exception file: \(error)")
            }
            if !ended, waiting.isEmpty, (piece?.count ?? 0) > 0, tokenizer.pendingBytes > Self.maximumRecordBytes {
                throw InboundQuarantine(reason: "invalid exception file: a record runs past \(Self.maximumRecordBytes) bytes (an unclosed quote?)")
            }
            if !readHeader, let first = waiting.first {
                guard first.fields == Self.header else {
                    throw InboundQuarantine(reason: "the exception file's first line must be the header \(Self.header.joined(separator: ","))")
                }
                readHeader = true
                waiting.removeFirst()
            }
            // A DOS end-of-file marker closes some banks' files.
            if ended, waiting.last?.fields == [String(UnicodeScalar(EndOfFileMarker.byte))] { waiting.removeLast() }
        }
        let record = waiting.removeFirst()
        return (record.line, Self.exception(record.fields, now: now))
    }

    /// One record's fields as the exception it presents, or why it is refused.
    static func exception(_ fields: [String], now: Date) -> Result<PresentedException, RefusedRecord> {
        func fail(_ message: String) -> Result<PresentedException, RefusedRecord> { .failure(RefusedRecord(message)) }
        guard fields.count == header.count else { return fail("has \(Words.count(fields.count, "field")), the header has \(header.count)") }
        guard let presented = cents(fields[3]) else { return fail("presented_amount must be a number of cents") }
        let issued = fields[4].isEmpty ? nil : cents(fields[4])
        guard fields[4].isEmpty || issued != nil else { return fail("issued_amount must be cents or empty") }
        guard let reason = CheckException.Reason(rawValue: fields[6]) else {
            return fail("reason \(fields[6].prefix(40)) is not one of \(CheckException.Reason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let decision = CheckException.Decision(rawValue: fields[7]) else { return fail("default_decision must be pay or return") }
        guard let deadline = try? Date(fields[8], strategy: .iso8601) else {
            return fail("decision_deadline must be an RFC 3339 time such as 2026-12-01T15:00:00Z")
        }
        let exception = PresentedException(bankReference: fields[0], accountNumber: fields[1], serial: fields[2], presentedAmount: presented,
                                           issuedAmount: issued, payee: fields[5], reason: reason, defaultDecision: decision, deadline: deadline)
        if let problem = exception.problem(at: now) { return fail(problem) }
        return .success(exception)
    }

    /// ASCII digits as cents; nil for anything else, or a number past 64 bits.
    private static func cents(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text)
    }
}
