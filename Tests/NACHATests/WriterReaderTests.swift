import Testing
@testable import NACHA

@Suite struct WriterReaderTests {
    @Test(arguments: SampleFiles.valid.map(\.name))
    func sampleFilesAreValidAndRoundTrip(name: String) throws {
        let file = try #require(SampleFiles.valid.first { $0.name == name }?.file)
        let bytes = try Writer().render(file)
        let result = Reader.read(bytes)
        #expect(result.diagnostics.filter { $0.severity == .error } == [], "\(name)")
        var expected = file
        for index in expected.batches.indices where expected.batches[index].header.serviceClass == nil {
            expected.batches[index].header.serviceClass = expected.batches[index].effectiveServiceClass
        }
        #expect(result.file == expected)
        #expect(try Writer().render(try #require(result.file)) == bytes)
        #expect(bytes.count % (95 * 10) == 0)
    }

    @Test func computesControlFields() throws {
        let bytes = try Writer().render(SampleFiles.ppdCredits)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 10)
        #expect(lines.allSatisfy { $0.count == 94 })
        let batchControl = lines[5]
        #expect(batchControl.hasPrefix("8220000003"))
        // 09100001 + 07640125 + 09100001
        #expect(batchControl.dropFirst(10).prefix(10) == "0025840127")
        #expect(batchControl.dropFirst(20).prefix(12) == "000000000000")
        #expect(batchControl.dropFirst(32).prefix(12) == "000000135000")
        let fileControl = lines[6]
        #expect(fileControl.hasPrefix("9000001000001000000030025840127"))
        #expect(lines[7] == String(repeating: "9", count: 94))
    }

    @Test func choosesServiceClass() throws {
        let credit = try Writer().render(SampleFiles.ppdCredits)
        let debit = try Writer().render(SampleFiles.ccdDebits)
        #expect(credit[96...98] == Array("220".utf8)[...])
        #expect(debit[96...98] == Array("225".utf8)[...])
        let mixed = ACHFile(header: SampleFiles.header(), batches: [Batch(header: SampleFiles.batchHeader(.ppd, number: 1), entries: [
            SampleFiles.entry(.checkingCredit, amount: 1, trace: 1), SampleFiles.entry(.checkingDebit, amount: 1, trace: 2),
        ])])
        #expect(try Writer().render(mixed)[96...98] == Array("200".utf8)[...])
    }

    @Test func refusesValuesThatDoNotFit() {
        var file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.individualName = "A NAME THAT IS LONGER THAN 22"
        #expect(throws: WriteError.self) { try Writer().render(file) }
        do {
            _ = try Writer().render(file)
        } catch {
            #expect(error.code == .valueTooLong)
            #expect(error.field == "individual_name")
        }
        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.amount = 10_000_000_000
        #expect { try Writer().render(file) } throws: { ($0 as? WriteError)?.code == .numberOutOfRange }
        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.amount = -5
        #expect { try Writer().render(file) } throws: { ($0 as? WriteError)?.code == .numberOutOfRange }
        file = SampleFiles.ppdCredits
        file.batches[0].entries[0].detail.individualName = "JOSÉ"
        #expect { try Writer().render(file) } throws: { ($0 as? WriteError)?.code == .invalidCharacter }
    }

    @Test("dates YYMMDD cannot carry unambiguously are refused, never written as another century",
          arguments: [ACHDate(year: 9999, month: 12, day: 31), ACHDate(year: 1, month: 1, day: 1), ACHDate(year: 248, month: 5, day: 26),
                      ACHDate(year: 1999, month: 12, day: 31), ACHDate(year: 2100, month: 1, day: 1), ACHDate(year: 2026, month: 2, day: 30)])
    func refusesDatesOutsideTheCentury(date: ACHDate) throws {
        var file = SampleFiles.ppdCredits
        file.batches[0].header.effectiveEntryDate = date
        #expect { try Writer().render(file) } throws: {
            ($0 as? WriteError)?.code == .dateOutOfRange && ($0 as? WriteError)?.field == "effective_entry_date"
        }
        file = SampleFiles.ppdCredits
        file.header.creationDate = date
        #expect { try Writer().render(file) } throws: { ($0 as? WriteError)?.code == .dateOutOfRange }
        file.header.creationDate = ACHDate(year: 2099, month: 12, day: 31)
        #expect(Reader.read(try Writer().render(file)).file?.header.creationDate == ACHDate(year: 2099, month: 12, day: 31))
    }

    @Test func writesCRLF() throws {
        let bytes = try Writer(lineEnding: .crlf).render(SampleFiles.ppdCredits)
        #expect(bytes.count == 10 * 96)
        let result = Reader.read(bytes)
        #expect(!result.hasErrors)
        #expect(result.file?.batches.first?.entries.count == 3)
    }

    @Test func acceptsWhatBanksSend() throws {
        let bytes = try Writer().render(SampleFiles.ccdDebits)
        let text = String(decoding: bytes, as: UTF8.self)
        let records = text.split(separator: "\n")
        let variants: [String: String] = [
            "no final newline": String(text.dropLast()),
            "one line": records.joined(),
            "one line with final LF": records.joined() + "\n",
            "short lines": records.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\r\n"),
            "trailing spaces": records.map { $0 + "   " }.joined(separator: "\n"),
        ]
        for (name, variant) in variants {
            let result = Reader.read(Array(variant.utf8))
            #expect(!result.hasErrors, "\(name): \(result.diagnostics)")
            #expect(result.file?.batches.first?.entries.count == 2, "\(name)")
            #expect(result.file?.batches.first?.entries[1].addenda.count == 1, "\(name)")
        }
    }

    @Test func streamsInSmallChunks() throws {
        let bytes = try Writer().render(SampleFiles.mixed)
        for chunkSize in [1, 7, 94, 95, 1000] {
            var stream = Reader.Stream()
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunkSize, bytes.count)
                bytes[offset..<end].withUnsafeBufferPointer { stream.feed($0) }
                offset = end
            }
            let result = stream.finish()
            #expect(!result.hasErrors, "chunk \(chunkSize)")
            #expect(result.file?.batches.count == 2)
        }
    }

    @Test func entriesAreHandedOutWholeAsTheyCloseAndNoBatchKeepsThem() throws {
        let bytes = try Writer().render(SampleFiles.mixed)
        let model = try #require(Reader.read(bytes).file).batches.flatMap(\.entries)
        for chunkSize in [1, 94, 95, 1000] {
            var stream = Reader.Stream(options: .init(buildModel: false, handsOutEntries: true))
            var entries: [Entry] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunkSize, bytes.count)
                bytes[offset..<end].withUnsafeBufferPointer { stream.feed($0) }
                entries += stream.takeEntries()
                offset = end
            }
            let result = stream.finish()
            entries += stream.takeEntries()
            #expect(!result.hasErrors && result.file == nil, "chunk \(chunkSize)")
            #expect(entries == model, "chunk \(chunkSize): every entry once, in order, with its addenda and text fields")
            #expect(stream.takeEntries().isEmpty)
        }
    }

    @Test func routingCheckDigit() {
        #expect(RoutingNumber.checkDigit(forDFI: 7_640_125) == 1)
        #expect(RoutingNumber.checkDigit(forDFI: 9_100_001) == 9)
        #expect(RoutingNumber.isValid("076401251"))
        #expect(!RoutingNumber.isValid("076401252"))
        #expect(!RoutingNumber.isValid("07640125"))
        #expect(!RoutingNumber.isValid("07640125A"))
    }

    @Test func codeTables() {
        #expect(ReturnReasonCode.lookup("R01")?.timeFrame == .twoBankingDays)
        #expect(ReturnReasonCode.lookup("R10")?.category == .unauthorized)
        #expect(ReturnReasonCode.lookup("R10")?.timeFrame == .sixtyDays)
        #expect(ReturnReasonCode.lookup("R03")?.category == .administrative)
        #expect(ReturnReasonCode.lookup("R48") == nil)
        #expect(ReturnReasonCode.lookup("R68")?.isDishonored == true)
        #expect(ReturnReasonCode.lookup("R74")?.isContested == true)
        let c03 = ChangeCode.lookup("C03")!.correctedData("076401251   11112222")
        #expect(c03[.routingNumber] == "076401251")
        #expect(c03[.accountNumber] == "11112222")
        let c07 = ChangeCode.lookup("C07")!.correctedData("07640125112345678         32")
        #expect(c07[.routingNumber] == "076401251")
        #expect(c07[.accountNumber] == "12345678")
        #expect(c07[.transactionCode] == "32")
        #expect(TransactionCode(rawValue: 22).isCredit)
        #expect(TransactionCode(rawValue: 27).isDebit)
        #expect(TransactionCode(rawValue: 26).purpose == .returnOrNOC)
        #expect(!TransactionCode(rawValue: 25).isAssigned)
    }
}
