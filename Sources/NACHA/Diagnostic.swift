/// One problem found in a NACHA file, located precisely enough for an operator to fix it:
/// line, record type, field and byte positions, with a stable code tools can match on.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// What a finding means for the file, by its consequence (each code has one; see `Code.catalog`).
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
        /// The ACH operator or the bank rejects the file or the batch, or metl could not match on it.
        case error
        /// NACHA-nonconforming, but processed: metl applies such a bank file and records the warning.
        case warning
        /// About the report itself.
        case info
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

    public init(_ code: Code, line: Int, recordType: Character?, field: Field? = nil, _ message: String) {
        self.severity = code.severity
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
    public static let originCheckDigit: Self = "FH-ORIGIN-CHECK-DIGIT"
    // Batch header
    public static let serviceClass: Self = "BH-SERVICE-CLASS"
    public static let standardEntryClass: Self = "BH-SEC-CODE"
    public static let originatorStatus: Self = "BH-ORIGINATOR-STATUS"
    public static let batchNumberOrder: Self = "BH-BATCH-NUMBER-ORDER"
    public static let effectiveDate: Self = "BH-EFFECTIVE-DATE"
    public static let effectiveDateZero: Self = "BH-EFFECTIVE-DATE-ZERO"
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
    public static let paymentTypeAlignment: Self = "ED-PAYMENT-TYPE-ALIGNMENT"
    // Addenda
    public static let addendaWithoutEntry: Self = "AD-WITHOUT-ENTRY"
    public static let addendaType: Self = "AD-TYPE"
    public static let addendaSequence: Self = "AD-SEQUENCE"
    public static let addendaTrace: Self = "AD-TRACE"
    public static let returnReasonCode: Self = "AD-RETURN-CODE"
    public static let changeCode: Self = "AD-CHANGE-CODE"
    public static let nocInReturnBatch: Self = "AD-NOC-IN-RETURN-BATCH"
    // Batch control
    public static let batchControlMismatch: Self = "BC-HEADER-MISMATCH"
    public static let companyIdentificationAlignment: Self = "BC-COMPANY-ID-ALIGNMENT"
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

extension Diagnostic.Code {
    /// Every code with its severity and the consequence that decides it, reviewed one by one: an
    /// error is what the ACH operator or the bank rejects, or what metl matches on (trace numbers,
    /// amounts, routing, counts and totals, record order); a warning is NACHA-nonconforming but
    /// processed (cosmetic alignment and padding, dates the operator supplies itself, rules no
    /// operator edit enforces). The README's severity table is this list.
    public static let catalog: [(code: Self, severity: Diagnostic.Severity, consequence: String)] = [
        (.emptyFile, .error, "nothing to process"),
        (.missingFileHeader, .error, "the operator rejects a file without its header"),
        (.missingFileControl, .error, "the operator rejects a file without its control"),
        (.recordOutOfOrder, .error, "record order decides which batch an entry is in"),
        (.recordAfterFileControl, .error, "data after the file control belongs to no file"),
        (.unknownRecordType, .error, "a record no one can read"),
        (.badPadding, .error, "an all-9 record before the control is not padding: the file is cut short"),
        (.incompleteBlock, .warning, "filler blocks are optional for transmission; operators accept unpadded files"),
        (.duplicateTrace, .error, "a trace number must name one entry: a match would be ambiguous"),
        (.tooManyDiagnostics, .info, "the report was cut; the counts are complete"),
        (.shortLine, .warning, "trailing spaces stripped in transit; read as padded to 94"),
        (.longLine, .error, "records cannot be told apart"),
        (.invalidCharacter, .error, "outside the NACHA character set: the operator rejects it"),
        (.nonNumeric, .error, "a numeric field that is not a number"),
        (.invalidDate, .error, "a date that is not a date"),
        (.invalidTime, .error, "a time that is not a time"),
        (.mandatoryField, .error, "a mandatory field the operator edits is missing"),
        (.priorityCode, .warning, "no operator routes on the priority code; NACHA asks for 01"),
        (.recordSize, .error, "the operator rejects any record size but 094"),
        (.blockingFactor, .error, "the operator rejects any blocking factor but 10"),
        (.formatCode, .error, "the operator rejects any format code but 1"),
        (.fileIDModifier, .error, "part of the file's identity, which duplicate detection uses"),
        (.destinationCheckDigit, .error, "the file cannot be routed"),
        (.originCheckDigit, .warning, "the origin may be a bank-assigned id that only looks like a routing number"),
        (.serviceClass, .error, "the operator rejects the batch"),
        (.standardEntryClass, .error, "the operator rejects the batch"),
        (.originatorStatus, .error, "the operator rejects the batch"),
        (.batchNumberOrder, .warning, "batch numbers identify batches within the file only; each control still matches its header"),
        (.effectiveDate, .warning, "the operator settles on the next banking day"),
        (.effectiveDateZero, .warning, "a COR batch's effective date is not used; the operator inserts its own"),
        (.mixedReturns, .error, "the operator rejects a batch that mixes forward entries and returns"),
        (.checkDigit, .error, "the entry cannot be routed"),
        (.transactionCode, .error, "the operator rejects the entry"),
        (.transactionCodeForServiceClass, .error, "the operator rejects the batch"),
        (.transactionCodeForSEC, .error, "the operator rejects the entry"),
        (.amount, .error, "amounts are matched on"),
        (.traceODFI, .error, "trace numbers are matched on"),
        (.traceOrder, .warning, "entries are matched by trace number, not position; duplicates stay an error"),
        (.addendaIndicator, .error, "decides which records belong to the entry"),
        (.addendaCount, .error, "a count that disagrees with the records"),
        (.individualName, .warning, "no operator edit enforces the name; the entry is processed"),
        (.paymentTypeCode, .error, "a WEB entry without R or S is refused by the RDFI's checks"),
        (.paymentTypeAlignment, .warning, "R or S padded on the wrong side: the code is unambiguous"),
        (.addendaWithoutEntry, .error, "an addenda that belongs to no entry"),
        (.addendaType, .error, "the addenda cannot be read"),
        (.addendaSequence, .error, "a count that disagrees with the records"),
        (.addendaTrace, .warning, "matching uses the original trace number; the addenda's own trace varies by bank"),
        (.returnReasonCode, .error, "what a return means is unknown"),
        (.changeCode, .error, "what a change means is unknown"),
        (.nocInReturnBatch, .warning, "a NOC among returns: its addenda 98 says what it is"),
        (.batchControlMismatch, .error, "the control closes another batch than its header opened"),
        (.companyIdentificationAlignment, .warning, "the same company identification, padded on the other side"),
        (.batchEntryCount, .error, "a wrong count"),
        (.batchEntryHash, .error, "a wrong hash"),
        (.batchDebitTotal, .error, "a wrong total"),
        (.batchCreditTotal, .error, "a wrong total"),
        (.corTotals, .error, "a wrong total"),
        (.batchCount, .error, "a wrong count"),
        (.blockCount, .error, "a wrong count"),
        (.fileEntryCount, .error, "a wrong count"),
        (.fileEntryHash, .error, "a wrong hash"),
        (.fileDebitTotal, .error, "a wrong total"),
        (.fileCreditTotal, .error, "a wrong total"),
    ]

    private static let severities = Dictionary(uniqueKeysWithValues: catalog.map { ($0.code, $0.severity) })

    /// The code's severity; a code missing from the catalog is an error (a test keeps the catalog whole).
    public var severity: Diagnostic.Severity { Self.severities[self] ?? .error }
}
