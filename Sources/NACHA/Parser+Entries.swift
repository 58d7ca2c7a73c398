/// Entry detail and addenda records: the fields of each, their checks, and the totals they add to their batch.
extension Parser {
    mutating func readEntry(_ record: UnsafeBufferPointer<UInt8>, line: Int) {
        guard position == .inBatch, batchHeader != nil else {
            note(.recordOutOfOrder, line: line, type: record[0], "entry detail outside a batch")
            return
        }
        closeEntry()
        typealias F = EntryDetail.Fields
        var decoder = FieldDecoder(record, line: line)
        let isCTX = batch.isCTX
        let detail = EntryDetail(
            transactionCode: TransactionCode(rawValue: decoder.number(F.transactionCode)),
            receivingDFI: decoder.number(F.receivingDFI),
            checkDigit: decoder.number(F.checkDigit),
            // When no entry is wanted whole, text fields are checked on the bytes and never become strings.
            accountNumber: options.decodesEntries ? decoder.text(F.accountNumber) : "",
            amount: Int64(decoder.number(F.amount)),
            identificationNumber: options.decodesEntries ? decoder.text(F.identificationNumber) : "",
            individualName: options.decodesEntries ? decoder.text(isCTX ? F.ctxReceivingCompany : F.individualName) : "",
            discretionaryData: options.decodesEntries ? decoder.text(F.discretionaryData) : "",
            traceNumber: decoder.number(F.traceNumber))
        entryCTXCount = isCTX ? decoder.number(F.ctxAddendaCount) : 0
        entryAddendaIndicator = decoder.number(F.addendaIndicator)
        entryZeroAmountUndecided = false
        entryIsNOC = false
        checkEntry(detail, &decoder)
        absorb(decoder)
        entry = Entry(detail, line: line)
        entryAddendaCount = 0
    }

    mutating func readAddenda(_ record: UnsafeBufferPointer<UInt8>, line: Int) {
        guard let traceNumber = entry?.detail.traceNumber, let transactionCode = entry?.detail.transactionCode else {
            note(.addendaWithoutEntry, line: line, type: record[0], "addenda record not preceded by an entry detail")
            return
        }
        typealias F = Addenda.Fields
        var decoder = FieldDecoder(record, line: line)
        let type = decoder.number(F.typeCode)
        entryAddendaCount += 1
        let addenda: Addenda?
        switch type {
        case 5:
            addenda = .paymentRelated(.init(information: decoder.text(F.information05)))
            let sequence = decoder.number(F.sequence05)
            let entrySequence = decoder.number(F.entrySequence05)
            if sequence != entryAddendaCount {
                decoder.report(.addendaSequence, F.sequence05, "addenda sequence number is \(sequence), expected \(entryAddendaCount)")
            }
            if entrySequence != traceNumber % 10_000_000 {
                decoder.report(.addendaTrace, F.entrySequence05, "entry detail sequence number does not match the entry's trace number")
            }
        case 98:
            addenda = readChangeAddenda(&decoder)
        case 99:
            addenda = readReturnAddenda(&decoder)
        default:
            decoder.report(.addendaType, F.typeCode, "addenda type code \(type) is not 05, 98 or 99")
            addenda = nil
        }
        if type == 98 || type == 99 {
            let trace = decoder.number(F.trace)
            if trace != traceNumber {
                decoder.report(.addendaTrace, F.trace, "addenda trace number does not match its entry's trace number")
            }
        }
        if let addenda {
            checkAddenda(addenda, transactionCode: transactionCode, &decoder)
            if options.decodesEntries { entry?.addenda.append(addenda) }
        }
        absorb(decoder)
    }

    func readChangeAddenda(_ decoder: inout FieldDecoder) -> Addenda {
        typealias F = Addenda.Fields
        let code = decoder.text(F.changeCode)
        let original = decoder.number(F.originalTrace)
        let rdfi = decoder.number(F.originalRDFI)
        let corrected = decoder.text(F.correctedData)
        if ChangeCode.lookup(code)?.isRefusal == true {
            return .refusedNotificationOfChange(.init(
                refusedChangeCode: code, originalTraceNumber: original, originalReceivingDFI: rdfi, correctedData: corrected,
                changeCode: decoder.text(F.refusedOriginalChangeCode), traceSequenceNumber: decoder.number(F.refusedTraceSequence)))
        }
        return .notificationOfChange(.init(changeCode: code, originalTraceNumber: original, originalReceivingDFI: rdfi,
                                           correctedData: corrected))
    }

    func readReturnAddenda(_ decoder: inout FieldDecoder) -> Addenda {
        typealias F = Addenda.Fields
        let code = decoder.text(F.returnReasonCode)
        let reason = ReturnReasonCode.lookup(code)
        let original = decoder.number(F.originalTrace)
        if reason?.isDishonored == true {
            return .dishonoredReturn(.init(
                dishonoredReturnReasonCode: code, originalTraceNumber: original, originalReceivingDFI: decoder.number(F.originalRDFI),
                returnTraceNumber: decoder.number(F.returnTrace), returnSettlementDate: decoder.julianDay(F.returnSettlementDate),
                returnReasonCode: decoder.text(F.dishonoredReturnReason), information: decoder.text(F.dishonoredInformation)))
        }
        if reason?.isContested == true {
            return .contestedDishonoredReturn(.init(
                contestedReturnCode: code, originalTraceNumber: original,
                dateOriginalEntryReturned: decoder.optionalDate(F.dateOriginalEntryReturned),
                originalReceivingDFI: decoder.number(F.originalRDFI),
                originalSettlementDate: decoder.julianDay(F.originalSettlementDate),
                returnTraceNumber: decoder.number(F.returnTrace), returnSettlementDate: decoder.julianDay(F.returnSettlementDate),
                returnReasonCode: decoder.text(F.dishonoredReturnReason),
                dishonoredReturnTraceNumber: decoder.number(F.dishonoredReturnTrace),
                dishonoredReturnSettlementDate: decoder.julianDay(F.dishonoredReturnSettlementDate),
                dishonoredReturnReasonCode: decoder.text(F.dishonoredReturnReasonCode)))
        }
        return .returnEntry(.init(returnReasonCode: code, originalTraceNumber: original,
                                  dateOfDeath: decoder.optionalDate(F.dateOfDeath),
                                  originalReceivingDFI: decoder.number(F.originalRDFI), information: decoder.text(F.information99)))
    }

    /// Completes the open entry: its addenda are now known, so the entry-level counts can be checked.
    mutating func closeEntry() {
        guard let closed = entry.take() else { return }
        checkEntryAddenda(closed.detail, line: closed.line ?? 0)
        batchTotals.add(closed.detail, addendaCount: entryAddendaCount)
        if options.handsOutEntries {
            closedEntries.append(closed)
        } else if options.buildModel {
            batchEntries.append(closed)
        }
    }
}
