import Testing
@testable import NACHA

/// One rule at a time: a valid file with one deliberate fault must produce exactly that code.
@Suite struct ValidatorTests {
    func codes(_ file: ACHFile) throws -> [Diagnostic.Code] {
        Reader.read(try Writer().render(file)).diagnostics.filter { $0.severity != .info }.map(\.code)
    }

    func codes(patching file: ACHFile, line: Int, at start: Int, with text: String) throws -> [Diagnostic.Code] {
        var lines = try Malformed.records(file)
        lines[line - 1] = Malformed.replace(lines[line - 1], at: start, with: text)
        return Reader.read(Malformed.join(lines)).diagnostics.filter { $0.severity != .info }.map(\.code)
    }

    @Test func fileHeaderRules() throws {
        let file = SampleFiles.ppdCredits
        #expect(try codes(patching: file, line: 1, at: 35, with: " 94") == [.recordSize])
        #expect(try codes(patching: file, line: 1, at: 38, with: "11") == [.blockingFactor])
        #expect(try codes(patching: file, line: 1, at: 40, with: "2") == [.formatCode])
        #expect(try codes(patching: file, line: 1, at: 2, with: "02") == [.priorityCode])
        #expect(try codes(patching: file, line: 1, at: 34, with: " ") == [.fileIDModifier])
        #expect(try codes(patching: file, line: 1, at: 34, with: "a") == [.fileIDModifier])
        #expect(try codes(patching: file, line: 1, at: 24, with: "261131") == [.invalidDate])
        #expect(try codes(patching: file, line: 1, at: 30, with: "2460") == [.invalidTime])
        #expect(try codes(patching: file, line: 1, at: 5, with: "121042883") == [.destinationCheckDigit])
    }

    @Test func batchRules() throws {
        let file = SampleFiles.mixed
        #expect(try codes(patching: file, line: 2, at: 2, with: "210") == [.serviceClass, .batchControlMismatch])
        #expect(try codes(patching: file, line: 2, at: 51, with: "XYZ") == [.standardEntryClass])
        #expect(try codes(patching: file, line: 2, at: 79, with: "7") == [.originatorStatus])
        #expect(try codes(patching: file, line: 2, at: 5, with: String(repeating: " ", count: 16)) == [.mandatoryField])
        #expect(try codes(patching: file, line: 2, at: 70, with: "261301") == [.invalidDate])
        #expect(try codes(patching: file, line: 6, at: 88, with: "0000001") == [.batchNumberOrder, .batchControlMismatch])
        #expect(try codes(patching: file, line: 5, at: 45, with: "9999999999") == [.batchControlMismatch])
        #expect(try codes(patching: file, line: 5, at: 5, with: "000003") == [.batchEntryCount])
        #expect(try codes(patching: file, line: 5, at: 21, with: "000000000001") == [.batchDebitTotal])
    }

    @Test func entryRules() throws {
        var file = SampleFiles.ppdCredits
        file.batches[0].header.serviceClass = .creditsOnly
        file.batches[0].entries[1].detail.transactionCode = .checkingDebit
        #expect(try codes(file) == [.transactionCodeForServiceClass])

        file = SampleFiles.ppdCredits
        file.batches[0].entries[1].detail.transactionCode = TransactionCode(rawValue: 25)
        #expect(try codes(file).first == .transactionCode)

        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.amount = 0
        #expect(try codes(file) == [.amount])

        file = SampleFiles.prenotes
        file.batches[0].entries[0].detail.amount = 100
        #expect(try codes(file) == [.amount])

        file = SampleFiles.ppdCredits
        file.batches[0].entries[2].detail.traceNumber = file.batches[0].entries[0].detail.traceNumber + 0
        #expect(try codes(file) == [.traceOrder, .duplicateTrace])

        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.traceNumber = 99_999_999 * 10_000_000 + 1
        #expect(try codes(file).contains(.traceODFI))

        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.individualName = ""
        #expect(try codes(file) == [.individualName])

        file = SampleFiles.web
        file.batches[0].entries[0].detail.discretionaryData = "X"
        #expect(try codes(file) == [.paymentTypeCode])

        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].addenda = [.paymentRelated(.init(information: "ONE")), .paymentRelated(.init(information: "TWO"))]
        #expect(try codes(file) == [.addendaCount])

        file = SampleFiles.ppdCredits
        file.batches[0].header.standardEntryClass = .tel
        #expect(try codes(file) == [.transactionCodeForSEC, .transactionCodeForSEC, .transactionCodeForSEC])
    }

    @Test func addendaRules() throws {
        // Indicator says 0 but an addenda follows.
        #expect(try codes(patching: SampleFiles.ccdDebits, line: 4, at: 79, with: "0") == [.addendaIndicator])
        // Addenda sequence and entry sequence.
        #expect(try codes(patching: SampleFiles.ccdDebits, line: 5, at: 84, with: "0002") == [.addendaSequence])
        #expect(try codes(patching: SampleFiles.ccdDebits, line: 5, at: 88, with: "0000009") == [.addendaTrace])
        // A 99 return addenda after a forward entry.
        let wrongAddenda = try codes(patching: SampleFiles.ccdDebits, line: 5, at: 2, with: "99")
        #expect(wrongAddenda.contains(.addendaType), "\(wrongAddenda)")
        // Returns: unknown reason code, wrong addenda trace.
        #expect(try codes(patching: SampleFiles.returns, line: 4, at: 4, with: "R48") == [.returnReasonCode])
        #expect(try codes(patching: SampleFiles.returns, line: 4, at: 80, with: "091000010000009") == [.addendaTrace])
        // NOC: unknown change code; a NOC entry without its addenda.
        #expect(try codes(patching: SampleFiles.notificationsOfChange, line: 4, at: 4, with: "C99") == [.changeCode])
        var file = SampleFiles.returns
        file.batches[0].entries[0].addenda = []
        #expect(try codes(file) == [.addendaCount])
        // CTX addenda count must match.
        #expect(try codes(patching: SampleFiles.ctx, line: 3, at: 55, with: "0002") == [.addendaCount])
        // COR batches total zero and carry only NOC codes.
        file = SampleFiles.notificationsOfChange
        file.batches[0].entries[0].detail.amount = 5
        #expect(try codes(file) == [.amount, .corTotals])
    }

    @Test func mixedReturnKinds() throws {
        var file = SampleFiles.returns
        file.batches[0].entries.append(Entry(EntryDetail(
            transactionCode: .checkingCredit, routingNumber: "091000019", accountNumber: "1", amount: 5, individualName: "X",
            traceNumber: 91_000_010_000_009)))
        #expect(try codes(file) == [.mixedReturns])
    }

    @Test func structureRules() throws {
        var lines = try Malformed.records(SampleFiles.ppdCredits)
        // A padding record inside the file, an addenda with no entry, an unknown record type.
        lines.insert(String(repeating: "9", count: 94), at: 2)
        lines.insert("7" + String(repeating: " ", count: 93), at: 1)
        lines.insert("3" + String(repeating: " ", count: 93), at: 1)
        let result = Reader.read(Malformed.join(lines)).diagnostics.map(\.code)
        #expect(result.contains(.badPadding))
        #expect(result.contains(.unknownRecordType))
        #expect(result.contains(.addendaWithoutEntry))
        #expect(result.contains(.incompleteBlock))

        lines = try Malformed.records(SampleFiles.ppdCredits)
        lines.remove(at: 5) // batch control
        let missingControl = Reader.read(Malformed.join(lines)).diagnostics.map(\.code)
        #expect(missingControl.contains(.recordOutOfOrder))

        lines = try Malformed.records(SampleFiles.ppdCredits)
        lines.remove(at: 0)
        #expect(Reader.read(Malformed.join(lines)).diagnostics.map(\.code).first == .missingFileHeader)

        #expect(Reader.read(Array(String(repeating: "X", count: 150).utf8)).diagnostics.map(\.code).contains(.longLine))
    }

    @Test func printableASCIICheckAgreesWithTheByteRule() {
        var record = [UInt8](repeating: 0x41, count: 94)
        for position in [0, 7, 8, 63, 88, 93] {
            for value in 0...255 {
                record[position] = UInt8(value)
                let expected = value >= 0x20 && value <= 0x7E
                let actual = record.withUnsafeBufferPointer { Parser.isPrintableASCII($0) }
                #expect(actual == expected, "byte \(value) at \(position)")
            }
            record[position] = 0x41
        }
    }

    @Test func weekendEffectiveDateIsAWarning() throws {
        var file = SampleFiles.ppdCredits
        file.batches[0].header.effectiveEntryDate = ACHDate(year: 2026, month: 11, day: 21)
        let diagnostics = Reader.read(try Writer().render(file)).diagnostics
        #expect(diagnostics.map(\.code) == [.effectiveDate])
        #expect(diagnostics.first?.severity == .warning)
    }
}
