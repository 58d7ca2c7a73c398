/// Renders an `ACHFile` into NACHA bytes: every control field computed, padded to full blocks,
/// the service class chosen when the model leaves it open. Values that do not fit are errors.
public struct Writer: Sendable {
    public enum LineEnding: String, Sendable, Codable {
        case lf, crlf

        /// The ending a setting names, in either case.
        public init?(named name: String) {
            self.init(rawValue: name.lowercased())
        }

        var bytes: [UInt8] { self == .lf ? [0x0A] : [0x0D, 0x0A] }
    }

    public var lineEnding: LineEnding

    public init(lineEnding: LineEnding = .lf) {
        self.lineEnding = lineEnding
    }

    public func render(_ file: ACHFile) throws(WriteError) -> [UInt8] {
        // The size is known up front, so the output is allocated once, space-filled, and written in place.
        let recordSize = NACHA.recordLength + lineEnding.bytes.count
        var bytes = [UInt8](repeating: 0x20, count: file.blockCount * NACHA.blockingFactor * recordSize)
        try bytes.withUnsafeMutableBufferPointer { (buffer) throws(WriteError) in
            var output = RecordOutput(buffer: buffer, lineEnding: lineEnding.bytes)
            try output.write(file)
        }
        return bytes
    }
}

/// The field encoders over the preallocated, space-filled output.
struct RecordOutput {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private var recordStart = 0
    private var next = 0
    private var recordNumber = 0
    private let lineEnding: [UInt8]

    init(buffer: UnsafeMutableBufferPointer<UInt8>, lineEnding: [UInt8]) {
        self.bytes = buffer
        self.lineEnding = lineEnding
    }

    mutating func write(_ file: ACHFile) throws(WriteError) {
        try writeHeader(file.header)
        var fileTotals = ControlTotals()
        for batch in file.batches {
            let totals = try writeBatch(batch)
            fileTotals.add(totals)
        }
        let records = 2 + file.batches.count * 2 + fileTotals.entryAddendaCount
        let blocks = (records + 9) / 10
        begin()
        putDigit(FileControl.Fields.recordType, 9)
        try put(FileControl.Fields.batchCount, file.batches.count)
        try put(FileControl.Fields.blockCount, blocks)
        try put(FileControl.Fields.entryAddendaCount, fileTotals.entryAddendaCount)
        try put(FileControl.Fields.entryHash, fileTotals.entryHash)
        try put(FileControl.Fields.totalDebit, fileTotals.totalDebit)
        try put(FileControl.Fields.totalCredit, fileTotals.totalCredit)
        end()
        for _ in records..<(blocks * 10) {
            begin()
            for index in 0..<NACHA.recordLength { bytes[recordStart + index] = 0x39 }
            end()
        }
    }

    private mutating func writeHeader(_ header: FileHeader) throws(WriteError) {
        typealias F = FileHeader.Fields
        begin()
        putDigit(F.recordType, 1)
        try put(F.priorityCode, header.priorityCode)
        try put(F.immediateDestination, header.immediateDestination)
        try put(F.immediateOrigin, header.immediateOrigin)
        try put(F.creationDate, header.creationDate)
        if let time = header.creationTime { try put(F.creationTime, time.hhmm) }
        try put(F.fileIDModifier, header.fileIDModifier)
        try put(F.recordSize, header.recordSize)
        try put(F.blockingFactor, header.blockingFactor)
        try put(F.formatCode, header.formatCode)
        try put(F.destinationName, header.immediateDestinationName)
        try put(F.originName, header.immediateOriginName)
        try put(F.referenceCode, header.referenceCode)
        end()
    }

    private mutating func writeBatch(_ batch: Batch) throws(WriteError) -> ControlTotals {
        typealias F = BatchHeader.Fields
        let header = batch.header
        let serviceClass = batch.effectiveServiceClass.rawValue
        begin()
        putDigit(F.recordType, 5)
        try put(F.serviceClass, serviceClass)
        try put(F.companyName, header.companyName)
        try put(F.companyDiscretionaryData, header.companyDiscretionaryData)
        try put(F.companyIdentification, header.companyIdentification)
        try put(F.standardEntryClass, header.standardEntryClass.rawValue)
        try put(F.companyEntryDescription, header.companyEntryDescription)
        try put(F.companyDescriptiveDate, header.companyDescriptiveDate)
        try put(F.effectiveEntryDate, header.effectiveEntryDate)
        try put(F.settlementDate, header.settlementDate)
        try put(F.originatorStatusCode, header.originatorStatusCode)
        try put(F.originatingDFI, header.originatingDFI)
        try put(F.batchNumber, header.batchNumber)
        end()

        var totals = ControlTotals()
        let isCTX = header.standardEntryClass == .ctx
        for entry in batch.entries {
            try writeEntry(entry, isCTX: isCTX)
            totals.add(entry.detail, addendaCount: entry.addenda.count)
        }

        typealias C = BatchControl.Fields
        begin()
        putDigit(C.recordType, 8)
        try put(C.serviceClass, serviceClass)
        try put(C.entryAddendaCount, totals.entryAddendaCount)
        try put(C.entryHash, totals.entryHash)
        try put(C.totalDebit, totals.totalDebit)
        try put(C.totalCredit, totals.totalCredit)
        try put(C.companyIdentification, header.companyIdentification)
        try put(C.messageAuthenticationCode, batch.messageAuthenticationCode)
        try put(C.originatingDFI, header.originatingDFI)
        try put(C.batchNumber, header.batchNumber)
        end()
        return totals
    }

    private mutating func writeEntry(_ entry: Entry, isCTX: Bool) throws(WriteError) {
        typealias F = EntryDetail.Fields
        let detail = entry.detail
        begin()
        putDigit(F.recordType, 6)
        try put(F.transactionCode, detail.transactionCode.rawValue)
        try put(F.receivingDFI, detail.receivingDFI)
        try put(F.checkDigit, detail.checkDigit)
        try put(F.accountNumber, detail.accountNumber)
        try put(F.amount, detail.amount)
        try put(F.identificationNumber, detail.identificationNumber)
        if isCTX {
            try put(F.ctxAddendaCount, entry.addenda.count)
            try put(F.ctxReceivingCompany, detail.individualName)
        } else {
            try put(F.individualName, detail.individualName)
        }
        try put(F.discretionaryData, detail.discretionaryData)
        putDigit(F.addendaIndicator, entry.addenda.isEmpty ? 0 : 1)
        try put(F.traceNumber, detail.traceNumber)
        end()
        guard entry.addenda.count <= 9_999 else {
            throw WriteError(code: .tooManyAddenda, record: recordNumber, field: "addenda", maximumLength: 9_999)
        }
        for (index, addenda) in entry.addenda.enumerated() {
            try writeAddenda(addenda, sequence: index + 1, detail: detail)
        }
    }

    private mutating func writeAddenda(_ addenda: Addenda, sequence: Int, detail: EntryDetail) throws(WriteError) {
        typealias F = Addenda.Fields
        begin()
        putDigit(F.recordType, 7)
        try put(F.typeCode, addenda.typeCode)
        switch addenda {
        case .paymentRelated(let value):
            try put(F.information05, value.information)
            try put(F.sequence05, sequence)
            try put(F.entrySequence05, detail.traceSequence)
        case .notificationOfChange(let value):
            try put(F.changeCode, value.changeCode)
            try put(F.originalTrace, value.originalTraceNumber)
            try put(F.originalRDFI, value.originalReceivingDFI)
            try put(F.correctedData, value.correctedData)
        case .refusedNotificationOfChange(let value):
            try put(F.refusedChangeCode, value.refusedChangeCode)
            try put(F.originalTrace, value.originalTraceNumber)
            try put(F.originalRDFI, value.originalReceivingDFI)
            try put(F.correctedData, value.correctedData)
            try put(F.refusedOriginalChangeCode, value.changeCode)
            try put(F.refusedTraceSequence, value.traceSequenceNumber)
        case .returnEntry(let value):
            try put(F.returnReasonCode, value.returnReasonCode)
            try put(F.originalTrace, value.originalTraceNumber)
            if let date = value.dateOfDeath { try put(F.dateOfDeath, date, asText: true) }
            try put(F.originalRDFI, value.originalReceivingDFI)
            try put(F.information99, value.information)
        case .dishonoredReturn(let value):
            try put(F.returnReasonCode, value.dishonoredReturnReasonCode)
            try put(F.originalTrace, value.originalTraceNumber)
            try put(F.originalRDFI, value.originalReceivingDFI)
            try put(F.returnTrace, value.returnTraceNumber)
            try put(F.returnSettlementDate, value.returnSettlementDate)
            try put(F.dishonoredReturnReason, value.returnReasonCode)
            try put(F.dishonoredInformation, value.information)
        case .contestedDishonoredReturn(let value):
            try put(F.returnReasonCode, value.contestedReturnCode)
            try put(F.originalTrace, value.originalTraceNumber)
            if let date = value.dateOriginalEntryReturned { try put(F.dateOriginalEntryReturned, date, asText: true) }
            try put(F.originalRDFI, value.originalReceivingDFI)
            try put(F.originalSettlementDate, value.originalSettlementDate)
            try put(F.returnTrace, value.returnTraceNumber)
            try put(F.returnSettlementDate, value.returnSettlementDate)
            try put(F.dishonoredReturnReason, value.returnReasonCode)
            try put(F.dishonoredReturnTrace, value.dishonoredReturnTraceNumber)
            try put(F.dishonoredReturnSettlementDate, value.dishonoredReturnSettlementDate)
            try put(F.dishonoredReturnReasonCode, value.dishonoredReturnReasonCode)
        }
        if addenda.typeCode != 5 { try put(F.trace, detail.traceNumber) }
        end()
    }

    // MARK: Field encoders

    private mutating func begin() {
        recordNumber += 1
        recordStart = next
    }

    private mutating func end() {
        next = recordStart + NACHA.recordLength
        for byte in lineEnding {
            bytes[next] = byte
            next += 1
        }
    }

    /// A constant digit the writer itself chooses (record types, indicators).
    private mutating func putDigit(_ field: Field, _ digit: UInt8) {
        bytes[recordStart + field.start - 1] = 0x30 + digit
    }

    private mutating func put(_ field: Field, _ value: some BinaryInteger) throws(WriteError) {
        var remaining = UInt64(clamping: value)
        guard value >= 0 else { throw error(.numberOutOfRange, field) }
        var position = recordStart + field.start - 1 + field.length - 1
        let first = recordStart + field.start - 1
        while position >= first {
            bytes[position] = 0x30 + UInt8(remaining % 10)
            remaining /= 10
            position -= 1
        }
        guard remaining == 0 else { throw error(.numberOutOfRange, field) }
    }

    /// A `YYMMDD` date. Readers take `YY` as 20YY, so only a real date in 2000–2099 can be written:
    /// 9999-12-31 would be read back as 1999-12-31.
    private mutating func put(_ field: Field, _ date: ACHDate, asText: Bool = false) throws(WriteError) {
        guard date.isValid, ACHDate.writableYears.contains(date.year) else { throw error(.dateOutOfRange, field) }
        if asText { try put(field, date.yymmddText) } else { try put(field, date.yymmdd) }
    }

    private mutating func put(_ field: Field, _ text: String) throws(WriteError) {
        let count = text.utf8.count
        guard count <= field.length else { throw error(.valueTooLong, field) }
        let start = recordStart + field.start - 1 + (field.justification == .rightAlphanumeric ? field.length - count : 0)
        var copy = text
        let valid = copy.withUTF8 { source in
            var valid = true
            for offset in 0..<source.count {
                let byte = source[offset]
                valid = valid && byte >= 0x20 && byte < 0x7F
                bytes[start + offset] = byte
            }
            return valid
        }
        guard valid else { throw error(.invalidCharacter, field) }
    }

    private func error(_ code: WriteError.Code, _ field: Field) -> WriteError {
        WriteError(code: code, record: recordNumber, field: field.name, maximumLength: field.length)
    }
}

extension ACHDate {
    /// The years a `YYMMDD` field carries without ambiguity.
    public static let writableYears = 2000...2099

    /// `YYMMDD` as text, for alphanumeric date fields (date of death).
    var yymmddText: String {
        let digits = String(yymmdd)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }
}
