/// Consumes records one at a time, in order, building the typed model (when asked) and checking
/// every rule of the strict validator as it goes. Memory stays flat when the model is not built,
/// which is how `metl validate` streams files of hundreds of megabytes.
public struct Parser {
    public struct Options: Sendable {
        /// Build the `ACHFile` model; turn off to validate in flat memory.
        public var buildModel = true
        /// Stored diagnostics beyond this are counted, not kept (garbage input must not exhaust memory).
        public var diagnosticLimit = 1_000
        /// Decode each entry in full, with its addenda, and hand it out as it closes (`takeEntries`)
        /// instead of keeping it in a batch: a consumer reads a file of any size a piece at a time.
        public var handsOutEntries = false
        public init(buildModel: Bool = true, diagnosticLimit: Int = 1_000, handsOutEntries: Bool = false) {
            self.buildModel = buildModel
            self.diagnosticLimit = diagnosticLimit
            self.handsOutEntries = handsOutEntries
        }

        /// Whether entries become whole values (a model to build, or entries to hand out).
        var decodesEntries: Bool { buildModel || handsOutEntries }
    }

    enum Position { case start, betweenBatches, inBatch, afterFileControl }

    /// What a batch carries: forward entries, or one kind of return. Kinds never mix in a batch.
    enum BatchKind: String { case forward, returns = "return", dishonored = "dishonored return", contested = "contested return" }

    let options: Options
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var errorCount = 0
    public private(set) var warningCount = 0
    public private(set) var infoCount = 0
    private var droppedDiagnostics = 0

    var position = Position.start
    var fileHeader: FileHeader?
    var batches: [Batch] = []
    var recordCount = 0
    var fileTotals = ControlTotals()
    var batchCount = 0
    var lastBatchNumber = 0
    var traces = TraceSet()

    // The open batch
    var batchHeader: BatchHeader?
    /// Facts of the open batch the per-entry rules read, kept as scalars so that checking an
    /// entry never copies the header's strings.
    var batch = BatchContext()
    var batchServiceClassCode = 0
    var batchTotals = ControlTotals()
    var batchEntries: [Entry] = []
    /// Closed entries not yet taken, when `handsOutEntries` is on.
    var closedEntries: [Entry] = []
    var batchKind: BatchKind?
    var lastTrace = -1

    // The open entry
    var entry: Entry?
    var entryAddendaIndicator = 0
    var entryCTXCount = 0
    var entryAddendaCount = 0
    /// A zero-amount return-code entry outside a COR batch: fine for a NOC, an error for a return,
    /// so decided once its addenda are read.
    var entryZeroAmountUndecided = false
    var entryIsNOC = false

    /// The file control record's declared values, recorded for `metl inspect`.
    public private(set) var declaredFileControl: (batchCount: Int, blockCount: Int, totals: ControlTotals)?

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The recomputed totals of everything read so far.
    public var computedTotals: ControlTotals { fileTotals }

    /// The model, when `buildModel` is on and a file header was read.
    public var file: ACHFile? {
        fileHeader.map { ACHFile(header: $0, batches: batches) }
    }

    public var hasErrors: Bool { errorCount > 0 }

    /// The entries closed since the last call, in file order, when `handsOutEntries` is on. An entry
    /// closes at the next entry, batch control or file end, once its addenda are known.
    public mutating func takeEntries() -> [Entry] {
        defer { closedEntries = [] }
        return closedEntries
    }

    // MARK: Records

    /// Consumes one 94-byte record (the splitter pads short lines).
    mutating func consume(_ record: UnsafeBufferPointer<UInt8>, line: Int, repair: RecordSplitter.Repair) {
        let type = record[0]
        switch repair {
        case .none: break
        case .padded(let length):
            note(.shortLine, line: line, type: type, "record is \(length) characters; read as padded with spaces to 94")
        case .overlong(let length):
            note(.longLine, line: line, type: type, "line is \(length) characters, not a whole number of 94-character records")
        }
        if !Self.isPrintableASCII(record), let bad = record.firstIndex(where: { $0 < 0x20 || $0 > 0x7E }) {
            note(.invalidCharacter, line: line, type: type, "character at position \(bad + 1) is not printable ASCII")
        }
        if type == 0x39, record[1] == 0x39, record.allSatisfy({ $0 == 0x39 }) {
            if position != .afterFileControl {
                note(.badPadding, line: line, type: type, "all-9 padding record before the file control record")
            }
            return
        }
        if position == .afterFileControl {
            note(.recordAfterFileControl, line: line, type: type, "record after the file control record")
            return
        }
        recordCount += 1
        switch type {
        case UInt8(ascii: "1"): readFileHeader(record, line: line)
        case UInt8(ascii: "5"): readBatchHeader(record, line: line)
        case UInt8(ascii: "6"): readEntry(record, line: line)
        case UInt8(ascii: "7"): readAddenda(record, line: line)
        case UInt8(ascii: "8"): readBatchControl(record, line: line)
        case UInt8(ascii: "9"): readFileControl(record, line: line)
        default:
            note(.unknownRecordType, line: line, type: type, "unknown record type")
        }
    }

    /// True when every byte is 0x20…0x7E, tested eight bytes at a time (this runs on every record).
    static func isPrintableASCII(_ record: UnsafeBufferPointer<UInt8>) -> Bool {
        let low: UInt64 = 0x2020_2020_2020_2020, one: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawBufferPointer(record)
        var offset = 0
        var bad: UInt64 = 0
        while offset + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            // A byte below 0x20 borrows into its high bit; 0x7F and above have or gain it when 1 is added.
            bad |= (word &- low) & ~word & high
            bad |= (word | (word &+ one)) & high
            offset += 8
        }
        while offset < raw.count {
            let byte = raw[offset]
            if byte < 0x20 || byte > 0x7E { return false }
            offset += 1
        }
        return bad == 0
    }

    /// Ends the file: reports what is missing and checks blocking.
    mutating func finish(lastLine: Int) {
        switch position {
        case .start:
            note(recordCount == 0 ? .emptyFile : .missingFileHeader, line: max(lastLine, 1), type: nil,
                 recordCount == 0 ? "file contains no records" : "file has no file header record")
        case .betweenBatches, .inBatch:
            closeBatch(line: lastLine)
            note(.missingFileControl, line: max(lastLine, 1), type: nil, "file ends without a file control record")
        case .afterFileControl:
            // Every physical record counts toward blocking, stray ones after the control record included.
            let total = lastLine
            if total % NACHA.blockingFactor != 0 {
                note(.incompleteBlock, line: lastLine, type: nil,
                     "\(total) records is not a multiple of the blocking factor 10 (pad with all-9 records)")
            }
        }
        if droppedDiagnostics > 0 {
            diagnostics.append(Diagnostic(.tooManyDiagnostics, line: lastLine, recordType: nil,
                                          "\(droppedDiagnostics) more diagnostics not shown"))
        }
    }

    // MARK: File header and control

    mutating func readFileHeader(_ record: UnsafeBufferPointer<UInt8>, line: Int) {
        guard position == .start else {
            note(.recordOutOfOrder, line: line, type: record[0], "second file header record")
            return
        }
        position = .betweenBatches
        typealias F = FileHeader.Fields
        var decoder = FieldDecoder(record, line: line)
        let priority = decoder.number(F.priorityCode)
        let destination = decoder.text(F.immediateDestination)
        let origin = decoder.text(F.immediateOrigin)
        let creationDate = decoder.date(F.creationDate)
        let time = decoder.optionalNumber(F.creationTime).map { ACHTime(hour: $0 / 100, minute: $0 % 100) }
        let modifier = decoder.text(F.fileIDModifier)
        var header = FileHeader(immediateDestination: destination, immediateOrigin: origin, creationDate: creationDate,
                                creationTime: time, fileIDModifier: modifier,
                                immediateDestinationName: decoder.text(F.destinationName),
                                immediateOriginName: decoder.text(F.originName), referenceCode: decoder.text(F.referenceCode))
        header.priorityCode = priority
        // Checked as text: ` 94` is the classic FH004 reject, reported as FH-RECORD-SIZE alone.
        header.recordSize = Int(decoder.text(F.recordSize)) ?? 0
        header.blockingFactor = Int(decoder.text(F.blockingFactor)) ?? 0
        header.formatCode = decoder.text(F.formatCode)
        checkFileHeader(header, &decoder)
        absorb(decoder)
        fileHeader = header
    }

    mutating func readFileControl(_ record: UnsafeBufferPointer<UInt8>, line: Int) {
        if position == .start {
            note(.missingFileHeader, line: line, type: record[0], "file control record before any file header")
        }
        if position == .inBatch {
            note(.recordOutOfOrder, line: line, type: record[0], "file control record inside a batch (batch control missing)")
            closeBatch(line: line)
        }
        position = .afterFileControl
        typealias F = FileControl.Fields
        var decoder = FieldDecoder(record, line: line)
        var declared = ControlTotals()
        let batchCount = decoder.number(F.batchCount)
        let blockCount = decoder.number(F.blockCount)
        declared.entryAddendaCount = decoder.number(F.entryAddendaCount)
        declared.entryHash = decoder.number(F.entryHash)
        declared.totalDebit = Int64(decoder.number(F.totalDebit))
        declared.totalCredit = Int64(decoder.number(F.totalCredit))
        declaredFileControl = (batchCount, blockCount, declared)
        let failedFields = Set(decoder.diagnostics.compactMap(\.field))
        func compare(_ field: Field, _ code: Diagnostic.Code, _ found: some BinaryInteger, _ expected: some BinaryInteger) {
            if !failedFields.contains(field.name), found != expected {
                decoder.report(code, field, "\(field.name) is \(found); the file's records give \(expected)")
            }
        }
        compare(F.batchCount, .batchCount, batchCount, self.batchCount)
        compare(F.blockCount, .blockCount, blockCount, (recordCount + NACHA.blockingFactor - 1) / NACHA.blockingFactor)
        compare(F.entryAddendaCount, .fileEntryCount, declared.entryAddendaCount, fileTotals.entryAddendaCount)
        compare(F.entryHash, .fileEntryHash, declared.entryHash, fileTotals.entryHash)
        compare(F.totalDebit, .fileDebitTotal, declared.totalDebit, fileTotals.totalDebit)
        compare(F.totalCredit, .fileCreditTotal, declared.totalCredit, fileTotals.totalCredit)
        absorb(decoder)
    }

    // MARK: Batches

    mutating func readBatchHeader(_ record: UnsafeBufferPointer<UInt8>, line: Int) {
        switch position {
        case .start:
            note(.missingFileHeader, line: line, type: record[0], "batch header before any file header")
        case .inBatch:
            note(.recordOutOfOrder, line: line, type: record[0], "batch header inside a batch (batch control missing)")
            closeBatch(line: line)
        default: break
        }
        position = .inBatch
        typealias F = BatchHeader.Fields
        var decoder = FieldDecoder(record, line: line)
        let serviceClassCode = decoder.number(F.serviceClass)
        let sec = StandardEntryClass(rawValue: decoder.text(F.standardEntryClass))
        let effectiveEntryDate: ACHDate
        if sec == .cor, decoder.isBlankOrZeros(F.effectiveEntryDate) {
            // Notifications of change settle on no date of their own: some banks leave it out.
            decoder.report(.effectiveDateZero, F.effectiveEntryDate, "effective entry date of a COR batch is zero or blank")
            effectiveEntryDate = ACHDate(yymmdd: 0)
        } else {
            effectiveEntryDate = decoder.date(F.effectiveEntryDate)
        }
        let header = BatchHeader(
            serviceClass: ServiceClassCode(rawValue: serviceClassCode),
            companyName: decoder.mandatoryText(F.companyName),
            companyDiscretionaryData: decoder.text(F.companyDiscretionaryData),
            companyIdentification: decoder.mandatoryText(F.companyIdentification),
            standardEntryClass: sec,
            companyEntryDescription: decoder.mandatoryText(F.companyEntryDescription),
            companyDescriptiveDate: decoder.text(F.companyDescriptiveDate),
            effectiveEntryDate: effectiveEntryDate,
            settlementDate: decoder.julianDay(F.settlementDate),
            originatorStatusCode: decoder.text(F.originatorStatusCode),
            originatingDFI: decoder.number(F.originatingDFI),
            batchNumber: decoder.number(F.batchNumber))
        checkBatchHeader(header, serviceClassCode: serviceClassCode, &decoder)
        absorb(decoder)
        batchCount += 1
        lastBatchNumber = header.batchNumber
        batchHeader = header
        batch = BatchContext(header)
        batchServiceClassCode = serviceClassCode
        batchTotals = ControlTotals()
        batchEntries = []
        batchKind = nil
        lastTrace = -1
    }

    mutating func readBatchControl(_ record: UnsafeBufferPointer<UInt8>, line: Int) {
        guard position == .inBatch, let header = batchHeader else {
            note(.recordOutOfOrder, line: line, type: record[0], "batch control without a batch header")
            return
        }
        closeEntry()
        typealias F = BatchControl.Fields
        var decoder = FieldDecoder(record, line: line)
        var declared = ControlTotals()
        let serviceClass = decoder.number(F.serviceClass)
        declared.entryAddendaCount = decoder.number(F.entryAddendaCount)
        declared.entryHash = decoder.number(F.entryHash)
        declared.totalDebit = Int64(decoder.number(F.totalDebit))
        declared.totalCredit = Int64(decoder.number(F.totalCredit))
        let companyIdentification = decoder.text(F.companyIdentification)
        let mac = decoder.text(F.messageAuthenticationCode)
        let odfi = decoder.number(F.originatingDFI)
        let batchNumber = decoder.number(F.batchNumber)
        checkBatchControl(header: header, serviceClass: serviceClass, companyIdentification: companyIdentification,
                          odfi: odfi, batchNumber: batchNumber, declared: declared, &decoder)
        absorb(decoder)
        fileTotals.add(batchTotals)
        if options.buildModel {
            batches.append(Batch(header: header, entries: batchEntries, messageAuthenticationCode: mac))
        }
        batchHeader = nil
        batchEntries = []
        position = .betweenBatches
    }

    /// Closes a batch whose control record is missing, so its entries still count.
    mutating func closeBatch(line: Int) {
        guard let header = batchHeader else { return }
        closeEntry()
        fileTotals.add(batchTotals)
        if options.buildModel { batches.append(Batch(header: header, entries: batchEntries)) }
        batchHeader = nil
        position = .betweenBatches
    }

    // MARK: Diagnostics

    mutating func note(_ code: Diagnostic.Code, line: Int, type: UInt8?, field: Field? = nil, _ message: String) {
        record(Diagnostic(code, line: line, recordType: type.map { Character(Unicode.Scalar($0)) }, field: field, message))
    }

    mutating func absorb(_ decoder: FieldDecoder) {
        for diagnostic in decoder.diagnostics { record(diagnostic) }
    }

    mutating func record(_ diagnostic: Diagnostic) {
        switch diagnostic.severity {
        case .error: errorCount += 1
        case .warning: warningCount += 1
        case .info: infoCount += 1
        }
        if diagnostics.count < options.diagnosticLimit {
            diagnostics.append(diagnostic)
        } else {
            droppedDiagnostics += 1
        }
    }
}
