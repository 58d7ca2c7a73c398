/// One problem found in a NACHA file, located precisely enough for an operator to fix it:
/// line, record type, field and byte positions, with a stable code tools can match on.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    /// A stable identifier such as `ED-CHECK-DIGIT`. The prefix names the record:
    /// `FILE` structure, `REC` any record, `FH` file header, `BH` batch header, `ED` entry detail,
    /// `AD` addenda, `BC` batch control, `FC` file control.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }

    public var severity: Severity
    public var code: Code
    /// 1-based physical record number (the line when records are LF-separated).
    public var line: Int
    /// The record type character (`1`, `5`, `6`, `7`, `8`, `9`), or nil for file-level problems.
    public var recordType: Character?
    public var field: String?
    /// 1-based inclusive byte positions inside the record, when a field is involved.
    public var columns: ClosedRange<Int>?
    /// A message that never repeats account numbers.
    public var message: String

    public init(_ severity: Severity, _ code: Code, line: Int, recordType: Character?, field: Field? = nil, _ message: String) {
        self.severity = severity
        self.code = code
        self.line = line
        self.recordType = recordType
        self.field = field?.name
        self.columns = field.map { $0.start...$0.end }
        self.message = message
    }

    /// `LINE:COL: severity CODE message`, the tail of the `FILE:LINE:COL:` form `metl validate` prints.
    public var description: String {
        "\(line):\(columns?.lowerBound ?? 1): \(severity.rawValue) \(code) \(message)"
    }
}

extension Diagnostic.Code {
    // File structure
    public static let emptyFile: Self = "FILE-EMPTY"
    public static let missingFileHeader: Self = "FILE-MISSING-HEADER"
    public static let missingFileControl: Self = "FILE-MISSING-CONTROL"
    public static let recordOutOfOrder: Self = "FILE-RECORD-ORDER"
    public static let recordAfterFileControl: Self = "FILE-RECORD-AFTER-CONTROL"
    public static let unknownRecordType: Self = "FILE-UNKNOWN-RECORD"
    public static let badPadding: Self = "FILE-PADDING"
    public static let incompleteBlock: Self = "FILE-BLOCKING"
    public static let duplicateTrace: Self = "FILE-DUPLICATE-TRACE"
    public static let tooManyDiagnostics: Self = "FILE-TOO-MANY-DIAGNOSTICS"
    // Any record
    public static let shortLine: Self = "REC-SHORT-LINE"
    public static let longLine: Self = "REC-LONG-LINE"
    public static let invalidCharacter: Self = "REC-INVALID-CHARACTER"
    public static let nonNumeric: Self = "REC-NON-NUMERIC"
    public static let invalidDate: Self = "REC-INVALID-DATE"
    public static let invalidTime: Self = "REC-INVALID-TIME"
    public static let mandatoryField: Self = "REC-MANDATORY-FIELD"
    // File header
    public static let priorityCode: Self = "FH-PRIORITY-CODE"
    public static let recordSize: Self = "FH-RECORD-SIZE"
    public static let blockingFactor: Self = "FH-BLOCKING-FACTOR"
    public static let formatCode: Self = "FH-FORMAT-CODE"
    public static let fileIDModifier: Self = "FH-FILE-ID-MODIFIER"
    public static let destinationCheckDigit: Self = "FH-DESTINATION-CHECK-DIGIT"
    // Batch header
    public static let serviceClass: Self = "BH-SERVICE-CLASS"
    public static let standardEntryClass: Self = "BH-SEC-CODE"
    public static let originatorStatus: Self = "BH-ORIGINATOR-STATUS"
    public static let batchNumberOrder: Self = "BH-BATCH-NUMBER-ORDER"
    public static let effectiveDate: Self = "BH-EFFECTIVE-DATE"
    public static let mixedReturns: Self = "BH-MIXED-RETURNS"
    // Entry detail
    public static let checkDigit: Self = "ED-CHECK-DIGIT"
    public static let transactionCode: Self = "ED-TRANSACTION-CODE"
    public static let transactionCodeForServiceClass: Self = "ED-SERVICE-CLASS-MISMATCH"
    public static let transactionCodeForSEC: Self = "ED-SEC-MISMATCH"
    public static let amount: Self = "ED-AMOUNT"
    public static let traceODFI: Self = "ED-TRACE-ODFI"
    public static let traceOrder: Self = "ED-TRACE-ORDER"
    public static let addendaIndicator: Self = "ED-ADDENDA-INDICATOR"
    public static let addendaCount: Self = "ED-ADDENDA-COUNT"
    public static let individualName: Self = "ED-INDIVIDUAL-NAME"
    public static let paymentTypeCode: Self = "ED-PAYMENT-TYPE"
    // Addenda
    public static let addendaWithoutEntry: Self = "AD-WITHOUT-ENTRY"
    public static let addendaType: Self = "AD-TYPE"
    public static let addendaSequence: Self = "AD-SEQUENCE"
    public static let addendaTrace: Self = "AD-TRACE"
    public static let returnReasonCode: Self = "AD-RETURN-CODE"
    public static let changeCode: Self = "AD-CHANGE-CODE"
    // Batch control
    public static let batchControlMismatch: Self = "BC-HEADER-MISMATCH"
    public static let batchEntryCount: Self = "BC-ENTRY-COUNT"
    public static let batchEntryHash: Self = "BC-ENTRY-HASH"
    public static let batchDebitTotal: Self = "BC-DEBIT-TOTAL"
    public static let batchCreditTotal: Self = "BC-CREDIT-TOTAL"
    public static let corTotals: Self = "BC-COR-NONZERO"
    // File control
    public static let batchCount: Self = "FC-BATCH-COUNT"
    public static let blockCount: Self = "FC-BLOCK-COUNT"
    public static let fileEntryCount: Self = "FC-ENTRY-COUNT"
    public static let fileEntryHash: Self = "FC-ENTRY-HASH"
    public static let fileDebitTotal: Self = "FC-DEBIT-TOTAL"
    public static let fileCreditTotal: Self = "FC-CREDIT-TOTAL"
}
