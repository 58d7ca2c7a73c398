import PropertyBased
import Testing
@testable import NACHA

/// Generated files: whatever the shape, a written file reads back to its model and rewrites to its bytes.
@Suite struct PropertyTests {
    static let routings = ["091000019", "076401251", "121042882", "011000015", "021000021"]
    static let classes: [StandardEntryClass] = [.ppd, .ccd, .web, .ctx]

    /// Builds a valid file from generated numbers: per batch, the amounts of its entries.
    static func file(batches amounts: [[Int]], names: [String], lineSeed: Int) -> ACHFile {
        var trace = 0
        var batches: [Batch] = []
        for (batchIndex, batchAmounts) in amounts.enumerated() {
            let sec = classes[(lineSeed + batchIndex) % classes.count]
            let entries = batchAmounts.enumerated().map { index, amount in
                trace += 1
                let credit = (amount + index).isMultiple(of: 2)
                let code = TransactionCode.forEntry(savings: amount.isMultiple(of: 3), credit: credit)
                let addenda: [Addenda] = (sec == .ctx || amount.isMultiple(of: 5))
                    ? (0..<(sec == .ctx ? amount % 4 : 1)).map { .paymentRelated(.init(information: "REMIT \($0) \(amount)")) }
                    : []
                return Entry(EntryDetail(transactionCode: code, routingNumber: routings[amount % routings.count],
                                         accountNumber: String(amount * 7 % 99_999_999), amount: Int64(amount),
                                         identificationNumber: "ID\(index)", individualName: names[(index + batchIndex) % names.count],
                                         discretionaryData: sec == .web ? "S" : "", traceNumber: 12_104_288 * 10_000_000 + trace),
                             addenda: addenda)
            }
            batches.append(Batch(header: BatchHeader(
                companyName: "GEN CO \(batchIndex)", companyIdentification: "1234567890", standardEntryClass: sec,
                companyEntryDescription: "GENERATED", effectiveEntryDate: ACHDate(year: 2026, month: 12, day: 1 + batchIndex % 28),
                originatingDFI: 12_104_288, batchNumber: batchIndex + 1), entries: entries))
        }
        return ACHFile(header: FileHeader(immediateDestination: "121042882", immediateOrigin: "1234567890",
                                          creationDate: ACHDate(year: 2026, month: 11, day: 20),
                                          creationTime: ACHTime(hour: lineSeed % 24, minute: lineSeed % 60),
                                          fileIDModifier: String("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()!)),
                       batches: batches)
    }

    @Test func generatedFilesRoundTrip() async {
        let amounts = Gen.int(in: 1...999_999_999).array(of: 1...6).array(of: 1...5)
        let names = Gen.letterOrNumber.string(of: 0...15).map { "N" + $0.uppercased() }.array(of: 1...4)
        await propertyCheck(count: 200, input: amounts, names, Gen.int(in: 0...1_000)) { amounts, names, seed in
            var file = Self.file(batches: amounts, names: names, lineSeed: seed)
            let writer = Writer(lineEnding: seed.isMultiple(of: 2) ? .lf : .crlf)
            let bytes: [UInt8]
            do {
                bytes = try writer.render(file)
            } catch {
                Issue.record("a generated file could not be written: \(error)")
                return
            }
            let result = Reader.read(bytes)
            #expect(result.errorCount == 0, "\(result.diagnostics.prefix(3))")
            for index in file.batches.indices { file.batches[index].header.serviceClass = file.batches[index].effectiveServiceClass }
            #expect(result.file == file)
            if let read = result.file {
                #expect((try? writer.render(read)) == bytes)
            }
        }
    }

    /// The reader never crashes or hangs: mutated valid files and random bytes always end in a result.
    @Test func readerSurvivesMutatedAndRandomInput() async throws {
        let seeds = try SampleFiles.valid.map { try Writer().render($0.file) }
        let mutations = Gen.int(in: 0...Int.max).array(of: 1...12)
        await propertyCheck(count: 2_000, input: Gen.int(in: 0..<seeds.count), mutations) { seedIndex, picks in
            var bytes = seeds[seedIndex]
            for pick in picks {
                let position = pick % max(bytes.count, 1)
                switch pick % 6 {
                case 0: if !bytes.isEmpty { bytes[position] = UInt8(truncatingIfNeeded: pick >> 8) }
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + pick % 200))
                case 2: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + 94)], at: position)
                case 3: if !bytes.isEmpty { bytes[position] = [0x0A, 0x0D, 0x39, 0x20, 0x00][pick % 5] }
                case 4: bytes = Array(bytes.prefix(position))
                default: bytes.append(contentsOf: (0..<(pick % 300)).map { UInt8(truncatingIfNeeded: $0 &* pick) })
                }
            }
            let result = Reader.read(bytes)
            // A file that reads without errors has a model; every error is counted and capped in storage.
            #expect(result.hasErrors || result.file != nil)
            #expect(result.errorCount >= result.diagnostics.filter { $0.severity == .error }.count)
            #expect(result.diagnostics.count <= 1_001)
        }
    }

    @Test func emptyAndTinyInputs() {
        #expect(Reader.read([UInt8]()).diagnostics.map(\.code) == [.emptyFile])
        #expect(Reader.read(Array("\n\n\r\n".utf8)).diagnostics.map(\.code) == [.emptyFile])
        #expect(Reader.read(Array("1".utf8)).hasErrors)
        let garbage = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let result = Reader.read(garbage)
        #expect(result.hasErrors)
        #expect(result.diagnostics.count == 1_001)
        #expect(result.diagnostics.last?.code == .tooManyDiagnostics)
    }
}
