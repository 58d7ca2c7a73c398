import Foundation
import Payments

/// Where a bank's exceptions come from: metl's canonical exception file today
/// (`CanonicalExceptionFile`); a bank's API or portal export is another source with the same answer.
public protocol ExceptionSource: Sendable {
    /// Every exception with the line (or position) it came from; a source that cannot be read whole
    /// throws `InboundQuarantine` with the reason.
    func exceptions() throws -> [(line: Int, exception: PresentedException)]
}

/// metl's canonical exception file: a CSV with the header
/// `exception_id,account_number,serial,presented_amount,issued_amount,payee,reason,default_decision,decision_deadline`,
/// amounts in cents (`issued_amount` empty when nothing was issued), the deadline RFC 3339.
public struct CanonicalExceptionFile: ExceptionSource {
    public static let header = ["exception_id", "account_number", "serial", "presented_amount", "issued_amount", "payee", "reason",
                                "default_decision", "decision_deadline"]
    let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether these first bytes are the canonical exception file's header.
    public static func recognises(_ head: [UInt8]) -> Bool {
        head.starts(with: Array((header.joined(separator: ",")).utf8))
    }

    public func exceptions() throws -> [(line: Int, exception: PresentedException)] {
        let records: [CSVTokenizer.Record]
        do { records = try CSVTokenizer.records(String(decoding: bytes, as: UTF8.self)) } catch {
            throw InboundQuarantine(reason: "invalid exception file: \(error)")
        }
        guard let first = records.first, first.fields == Self.header else {
            throw InboundQuarantine(reason: "the exception file's first line must be the header \(Self.header.joined(separator: ","))")
        }
        return try records.dropFirst().map { record in
            func fail(_ message: String) -> InboundQuarantine { InboundQuarantine(reason: "line \(record.line): \(message); nothing applied") }
            let fields = record.fields
            guard fields.count == Self.header.count else { throw fail("has \(fields.count) fields, the header has \(Self.header.count)") }
            guard !fields[0].isEmpty else { throw fail("exception_id is empty") }
            guard fields[1].allSatisfy(\.isNumber), !fields[1].isEmpty, fields[2].allSatisfy(\.isNumber), !fields[2].isEmpty else {
                throw fail("account_number and serial must be digits")
            }
            guard let presented = Int64(fields[3]), presented > 0 else { throw fail("presented_amount must be a positive number of cents") }
            let issued = fields[4].isEmpty ? nil : Int64(fields[4])
            guard fields[4].isEmpty || issued != nil else { throw fail("issued_amount must be cents or empty") }
            guard let reason = CheckException.Reason(rawValue: fields[6]) else {
                throw fail("reason \(fields[6]) is not one of \(CheckException.Reason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let decision = CheckException.Decision(rawValue: fields[7]) else { throw fail("default_decision must be pay or return") }
            guard let deadline = try? Date(fields[8], strategy: .iso8601) else {
                throw fail("decision_deadline must be an RFC 3339 time such as 2026-12-01T15:00:00Z")
            }
            return (record.line, PresentedException(bankReference: fields[0], accountNumber: fields[1], serial: fields[2],
                                                    presentedAmount: presented, issuedAmount: issued, payee: fields[5], reason: reason,
                                                    defaultDecision: decision, deadline: deadline))
        }
    }
}
