/// The strict validator's rules (reference nacha.md §14), run by the parser record by record.
/// Each rule reports with a stable code; none stops the reading, so every problem is listed.
extension Parser {
    func checkFileHeader(_ header: FileHeader, _ decoder: inout FieldDecoder) {
        typealias F = FileHeader.Fields
        if header.priorityCode != 1, !decoder.failed(F.priorityCode) {
            decoder.report(.priorityCode, F.priorityCode, "priority code must be 01")
        }
        if decoder.text(F.recordSize) != "094" {
            decoder.report(.recordSize, F.recordSize, "record size must be 094")
        }
        if decoder.text(F.blockingFactor) != "10" {
            decoder.report(.blockingFactor, F.blockingFactor, "blocking factor must be 10")
        }
        if header.formatCode != "1" {
            decoder.report(.formatCode, F.formatCode, "format code must be 1")
        }
        let modifier = header.fileIDModifier.utf8
        if modifier.count != 1 || !modifier.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }) {
            decoder.report(.fileIDModifier, F.fileIDModifier, "file ID modifier must be A-Z or 0-9")
        }
        if let time = header.creationTime, !time.isValid, !decoder.failed(F.creationTime) {
            decoder.report(.invalidTime, F.creationTime, "file creation time is not a valid HHMM")
        }
        if !RoutingNumber.isValid(header.immediateDestination) {
            decoder.report(.destinationCheckDigit, F.immediateDestination,
                           "immediate destination is not a 9-digit routing number with a valid check digit")
        }
        let origin = header.immediateOrigin
        if origin.utf8.count == 9, !RoutingNumber.isValid(origin) {
            decoder.report(.originCheckDigit, F.immediateOrigin,
                           "immediate origin looks like a routing number but its check digit is wrong")
        } else if origin.isEmpty {
            decoder.report(.mandatoryField, F.immediateOrigin, "immediate origin is mandatory")
        }
    }

    func checkBatchHeader(_ header: BatchHeader, serviceClassCode: Int, _ decoder: inout FieldDecoder) {
        typealias F = BatchHeader.Fields
        if header.serviceClass == nil, !decoder.failed(F.serviceClass) {
            decoder.report(.serviceClass, F.serviceClass, "service class code \(serviceClassCode) is not 200, 220, 225 or 280")
        }
        if !header.standardEntryClass.isKnown {
            decoder.report(.standardEntryClass, F.standardEntryClass, "standard entry class code is not a known upper-case SEC code")
        }
        if !["0", "1", "2"].contains(header.originatorStatusCode) {
            decoder.report(.originatorStatus, F.originatorStatusCode, "originator status code must be 0, 1 or 2")
        }
        if header.batchNumber <= lastBatchNumber {
            decoder.report(.batchNumberOrder, F.batchNumber,
                           "batch number \(header.batchNumber) does not ascend from \(lastBatchNumber)")
        }
        if header.effectiveEntryDate.isValid, header.effectiveEntryDate.isWeekend {
            decoder.report(.effectiveDate, F.effectiveEntryDate, "effective entry date \(header.effectiveEntryDate) is not a banking day")
        }
    }

    mutating func checkEntry(_ detail: EntryDetail, _ decoder: inout FieldDecoder) {
        typealias F = EntryDetail.Fields
        let code = detail.transactionCode
        if !code.isAssigned {
            if !decoder.failed(F.transactionCode) {
                decoder.report(.transactionCode, F.transactionCode, "transaction code \(code.rawValue) is not assigned")
            }
        } else {
            if let serviceClass = batch.serviceClass, !serviceClass.allows(code) {
                decoder.report(.transactionCodeForServiceClass, F.transactionCode,
                               "transaction code \(code.rawValue) is not allowed in a service class \(serviceClass.rawValue) batch")
            }
            if batch.isCOR, code.purpose != .returnOrNOC {
                decoder.report(.transactionCodeForSEC, F.transactionCode, "COR entries must use a return/NOC transaction code")
            } else if batch.isTEL, code.isCredit, code.purpose != .returnOrNOC {
                decoder.report(.transactionCodeForSEC, F.transactionCode, "TEL entries must be debits")
            } else if code.isAccountingAdvice, !batch.isADV {
                decoder.report(.transactionCodeForSEC, F.transactionCode, "ADV transaction codes are only allowed in ADV batches")
            }
        }
        if !decoder.failed(F.checkDigit), !decoder.failed(F.receivingDFI),
           RoutingNumber.checkDigit(forDFI: detail.receivingDFI) != detail.checkDigit {
            decoder.report(.checkDigit, F.checkDigit, "check digit does not match the receiving DFI identification")
        }
        if code.requiresZeroAmount || batch.isCOR {
            if detail.amount != 0 {
                decoder.report(.amount, F.amount, "prenote, zero-dollar and NOC entries must have a zero amount")
            }
        } else if detail.amount == 0, code.isAssigned, !decoder.failed(F.amount) {
            if code.purpose == .returnOrNOC {
                entryZeroAmountUndecided = true
            } else {
                decoder.report(.amount, F.amount, "a live entry must have a non-zero amount")
            }
        }
        if batch.requiresIndividualName, decoder.isBlankOrZeros(F.individualName) {
            decoder.report(.individualName, F.individualName, "individual name is mandatory for PPD, WEB and TEL entries")
        }
        if batch.isWEB, code.purpose == .live, !decoder.holds(F.discretionaryData, "R "), !decoder.holds(F.discretionaryData, "S ") {
            if decoder.holds(F.discretionaryData, " R") || decoder.holds(F.discretionaryData, " S") {
                decoder.report(.paymentTypeAlignment, F.discretionaryData, "WEB payment type code is right-aligned; NACHA puts it first")
            } else {
                decoder.report(.paymentTypeCode, F.discretionaryData, "WEB entries need payment type code R or S")
            }
        }
        // Trace numbers: ODFI prefix, ascending in the batch, unique in the file.
        if !decoder.failed(F.traceNumber) {
            if detail.traceNumber / 10_000_000 != batch.originatingDFI {
                decoder.report(.traceODFI, F.traceNumber, "trace number does not start with the batch's ODFI identification")
            }
            if detail.traceNumber <= lastTrace {
                decoder.report(.traceOrder, F.traceNumber, "trace number does not ascend within the batch")
            }
            lastTrace = detail.traceNumber
            if !traces.insert(detail.traceNumber) {
                decoder.report(.duplicateTrace, F.traceNumber, "trace number \(detail.traceNumber) appears earlier in the file")
            }
        }
        if entryAddendaIndicator > 1 {
            decoder.report(.addendaIndicator, F.addendaIndicator, "addenda record indicator must be 0 or 1")
        }
        // Forward entries and each kind of return never share a batch; the kind is set by the addenda.
        if code.purpose != .returnOrNOC || batch.isCOR {
            classifyBatch(.forward, &decoder)
        }
    }

    mutating func classifyBatch(_ kind: BatchKind, _ decoder: inout FieldDecoder) {
        if let existing = batchKind, existing != kind {
            decoder.report(.mixedReturns, nil, "batch mixes \(existing.rawValue) and \(kind.rawValue) entries")
        }
        batchKind = kind
    }

    mutating func checkAddenda(_ addenda: Addenda, transactionCode: TransactionCode, _ decoder: inout FieldDecoder) {
        typealias F = Addenda.Fields
        let isReturnEntry = transactionCode.purpose == .returnOrNOC
        switch addenda {
        case .paymentRelated:
            if isReturnEntry || batch.isCOR {
                decoder.report(.addendaType, F.typeCode, "returns and NOCs carry addenda 98/99, not 05")
            }
        case .notificationOfChange(let value):
            entryIsNOC = true
            if !batch.isCOR { reportNOCOutsideCOR(isReturnEntry, &decoder) }
            if ChangeCode.lookup(value.changeCode) == nil {
                decoder.report(.changeCode, F.changeCode, "change code \(value.changeCode) is not C01-C14")
            }
        case .refusedNotificationOfChange(let value):
            entryIsNOC = true
            if !batch.isCOR { reportNOCOutsideCOR(isReturnEntry, &decoder) }
            if ChangeCode.lookup(value.changeCode) == nil {
                decoder.report(.changeCode, F.refusedOriginalChangeCode, "original change code \(value.changeCode) is unknown")
            }
        case .returnEntry(let value):
            classifyBatch(.returns, &decoder)
            if ReturnReasonCode.lookup(value.returnReasonCode) == nil {
                decoder.report(.returnReasonCode, F.returnReasonCode, "return reason code \(value.returnReasonCode) is not assigned")
            }
        case .dishonoredReturn:
            classifyBatch(.dishonored, &decoder)
        case .contestedDishonoredReturn:
            classifyBatch(.contested, &decoder)
        }
        if (addenda.typeCode == 98 || addenda.typeCode == 99) && !isReturnEntry {
            decoder.report(.addendaType, F.typeCode, "addenda \(addenda.typeCode) must follow a return/NOC transaction code")
        }
    }

    /// A NOC among a batch's returns is told apart by its own addenda, and applied as one; anywhere
    /// else addenda 98 belongs in a COR batch.
    private func reportNOCOutsideCOR(_ isReturnEntry: Bool, _ decoder: inout FieldDecoder) {
        if isReturnEntry, batchKind != .forward {
            decoder.report(.nocInReturnBatch, Addenda.Fields.typeCode, "addenda 98 in a return batch; NACHA puts NOCs in COR batches")
        } else {
            decoder.report(.addendaType, Addenda.Fields.typeCode, "addenda 98 is only allowed in COR batches")
        }
    }

    /// Entry-level rules that need the addenda count, run when the next record closes the entry.
    mutating func checkEntryAddenda(_ detail: EntryDetail, line entryLine: Int) {
        typealias F = EntryDetail.Fields
        let count = entryAddendaCount
        if entryZeroAmountUndecided, !entryIsNOC {
            note(.amount, line: entryLine, type: 0x36, field: F.amount, "a return must have a non-zero amount")
        }
        if (entryAddendaIndicator == 1) != (count > 0), entryAddendaIndicator <= 1 {
            note(.addendaIndicator, line: entryLine, type: 0x36, field: F.addendaIndicator,
                 "addenda record indicator is \(entryAddendaIndicator) but \(count) addenda follow")
        }
        let isReturnOrNOC = detail.transactionCode.purpose == .returnOrNOC
        if isReturnOrNOC {
            if count != 1 {
                note(.addendaCount, line: entryLine, type: 0x36, field: F.addendaIndicator,
                     "return and NOC entries need exactly one addenda 98/99, found \(count)")
            }
        } else if count > batch.maximumAddenda {
            note(.addendaCount, line: entryLine, type: 0x36, field: F.addendaIndicator,
                 "entries of this SEC code allow at most \(batch.maximumAddenda) addenda, found \(count)")
        }
        if batch.isCTX, entryCTXCount != count {
            note(.addendaCount, line: entryLine, type: 0x36, field: F.ctxAddendaCount,
                 "CTX number of addenda records is \(entryCTXCount) but \(count) follow")
        }
    }

    func checkBatchControl(header: BatchHeader, serviceClass: Int, companyIdentification: String, odfi: Int, batchNumber: Int,
                           declared: ControlTotals, _ decoder: inout FieldDecoder) {
        typealias F = BatchControl.Fields
        func mismatch(_ field: Field, _ same: Bool) {
            if !same, !decoder.failed(field) {
                decoder.report(.batchControlMismatch, field, "\(field.name) differs from the batch header")
            }
        }
        mismatch(F.serviceClass, serviceClass == batchServiceClassCode)
        if companyIdentification != header.companyIdentification, !decoder.failed(F.companyIdentification),
           companyIdentification.trimmingSpaces == header.companyIdentification.trimmingSpaces {
            decoder.report(.companyIdentificationAlignment, F.companyIdentification,
                           "company identification is aligned differently from the batch header's")
        } else {
            mismatch(F.companyIdentification, companyIdentification == header.companyIdentification)
        }
        mismatch(F.originatingDFI, odfi == header.originatingDFI)
        mismatch(F.batchNumber, batchNumber == header.batchNumber)
        let computed = batchTotals
        func compare(_ field: Field, _ code: Diagnostic.Code, _ found: some BinaryInteger, _ expected: some BinaryInteger) {
            if found != expected, !decoder.failed(field) {
                decoder.report(code, field, "\(field.name) is \(found); the batch's records give \(expected)")
            }
        }
        compare(F.entryAddendaCount, .batchEntryCount, declared.entryAddendaCount, computed.entryAddendaCount)
        compare(F.entryHash, .batchEntryHash, declared.entryHash, computed.entryHash)
        compare(F.totalDebit, .batchDebitTotal, declared.totalDebit, computed.totalDebit)
        compare(F.totalCredit, .batchCreditTotal, declared.totalCredit, computed.totalCredit)
        if header.standardEntryClass == .cor, declared.totalDebit != 0 || declared.totalCredit != 0 {
            decoder.report(.corTotals, F.totalDebit, "COR batches must total zero")
        }
    }
}

extension FieldDecoder {
    /// True when the field was already reported (non-numeric), so a rule does not report it twice.
    func failed(_ field: Field) -> Bool {
        diagnostics.contains { $0.field == field.name }
    }
}
