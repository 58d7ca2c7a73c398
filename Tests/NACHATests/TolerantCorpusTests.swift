import Foundation
import Testing
@testable import NACHA

/// Files as other NACHA implementations and banks write them: valid enough for the ACH operator,
/// not byte-perfect. Each is made from one of our valid samples by the one change seen in the wild,
/// written under fixtures/nacha/tolerant (METL_WRITE_FIXTURES=1), and must read with no error and
/// exactly the warnings listed; `metl validate --strict` refuses those with warnings.
@Suite struct TolerantCorpusTests {
    struct Case: Sendable {
        var name: String
        /// The codes it gives, in order; every one a warning.
        var codes: [Diagnostic.Code]
        var make: @Sendable () throws -> [UInt8]
    }

    static func lines(_ file: ACHFile) throws -> [String] { try Malformed.records(file) }

    /// The indexes of the records of one type.
    static func indexes(_ lines: [String], type: Character) -> [Int] {
        lines.indices.filter { lines[$0].first == type }
    }

    static func edit(_ lines: inout [String], type: Character, at start: Int, with text: String) {
        for index in indexes(lines, type: type) { lines[index] = Malformed.replace(lines[index], at: start, with: text) }
    }

    static let cases: [Case] = [
        Case(name: "company-id-aligned-apart", codes: [.companyIdentificationAlignment]) {
            var records = try lines(SampleFiles.ppdCredits)
            edit(&records, type: "5", at: 41, with: "123456789 ")
            edit(&records, type: "8", at: 45, with: " 123456789")
            return Malformed.join(records)
        },
        Case(name: "web-payment-type-right-aligned", codes: [.paymentTypeAlignment, .paymentTypeAlignment]) {
            var records = try lines(SampleFiles.web)
            edit(&records, type: "6", at: 77, with: " S")
            return Malformed.join(records)
        },
        Case(name: "cor-zero-effective-date", codes: [.effectiveDateZero]) {
            var records = try lines(SampleFiles.notificationsOfChange)
            edit(&records, type: "5", at: 70, with: "000000")
            return Malformed.join(records)
        },
        Case(name: "cor-blank-effective-date", codes: [.effectiveDateZero]) {
            var records = try lines(SampleFiles.notificationsOfChange)
            edit(&records, type: "5", at: 70, with: "      ")
            return Malformed.join(records)
        },
        Case(name: "lower-case-names", codes: []) {
            var records = try lines(SampleFiles.ppdCredits)
            // Names only: the file header's two, the company's, each individual's.
            for (type, range) in [("1", 41...86), ("5", 5...20), ("6", 55...76)] {
                for index in indexes(records, type: Character(type)) {
                    let line = Array(records[index])
                    records[index] = String(line[..<(range.lowerBound - 1)]) + String(line[(range.lowerBound - 1)..<range.upperBound]).lowercased()
                        + String(line[range.upperBound...])
                }
            }
            return Malformed.join(records)
        },
        Case(name: "trailing-spaces-stripped", codes: [.shortLine, .shortLine]) {
            let records = try lines(SampleFiles.ppdCredits).map { line in
                String(line.reversed().drop { $0 == " " }.reversed())
            }
            return Malformed.join(records)
        },
        Case(name: "crlf", codes: []) {
            Array((try lines(SampleFiles.mixed).joined(separator: "\r\n") + "\r\n").utf8)
        },
        Case(name: "one-line", codes: []) {
            Array(try lines(SampleFiles.mixed).joined().utf8)
        },
        Case(name: "no-filler-blocks", codes: [.incompleteBlock]) {
            Malformed.join(try lines(SampleFiles.ppdCredits).filter { !$0.allSatisfy { $0 == "9" } })
        },
        Case(name: "noc-addenda-trace-odfi-sequence", codes: [.addendaTrace]) {
            var records = try lines(SampleFiles.notificationsOfChange)
            // The addenda's own trace number: the RDFI's sequence, not its entry's trace.
            let first = try #require(indexes(records, type: "7").first)
            records[first] = Malformed.replace(records[first], at: 80, with: "091000010000901")
            return Malformed.join(records)
        },
        Case(name: "returns-and-nocs-in-one-batch", codes: [.nocInReturnBatch]) {
            var file = SampleFiles.returns
            let noc = try #require(SampleFiles.notificationsOfChange.batches.first?.entries.first)
            var moved = noc
            moved.detail.traceNumber = 9_100_001 * 10_000_000 + 4
            file.batches[0].entries.append(moved)
            return try Writer().render(file)
        },
    ]

    @Test(arguments: cases.map(\.name))
    func readsWithWarningsOnly(name: String) throws {
        let sample = try #require(Self.cases.first { $0.name == name })
        let bytes = try sample.make()
        try FixtureTests.check("tolerant/\(name).ach", bytes)
        let result = Reader.read(bytes)
        #expect(result.errorCount == 0, "\(result.diagnostics.filter { $0.severity == .error })")
        #expect(result.diagnostics.map(\.code) == sample.codes)
        #expect(result.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(result.hasWarnings == !sample.codes.isEmpty, "--strict refuses exactly those with warnings")
        #expect(try Reader.read(path: FixtureTests.directory.appendingPathComponent("tolerant/\(name).ach").path, chunkSize: 97)
            .diagnostics == result.diagnostics)
    }

    /// Alignment is forgiven only when it is alignment: another company identification is still an error.
    @Test func anotherCompanyIdentificationInTheControlIsStillAnError() throws {
        var records = try Self.lines(SampleFiles.ppdCredits)
        Self.edit(&records, type: "8", at: 45, with: "9999999999")
        let result = Reader.read(Malformed.join(records))
        #expect(result.diagnostics.map(\.code) == [.batchControlMismatch])
        #expect(result.hasErrors)
    }

    /// A WEB entry with no payment type code at all is an error, not an alignment.
    @Test func aWEBEntryWithoutPaymentTypeIsStillAnError() throws {
        var records = try Self.lines(SampleFiles.web)
        Self.edit(&records, type: "6", at: 77, with: "  ")
        #expect(Reader.read(Malformed.join(records)).diagnostics.map(\.code) == [.paymentTypeCode, .paymentTypeCode])
    }

    /// A zero effective date is forgiven in a COR batch only: the operator settles forward entries on it.
    @Test func aZeroEffectiveDateOutsideCORIsStillAnError() throws {
        var records = try Self.lines(SampleFiles.ppdCredits)
        Self.edit(&records, type: "5", at: 70, with: "000000")
        #expect(Reader.read(Malformed.join(records)).diagnostics.map(\.code) == [.invalidDate])
    }
}

/// Every code has one documented severity, and the README's table is the catalog.
@Suite struct SeverityCatalogTests {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyDeclaredCodeIsInTheCatalogOnce() throws {
        let text = try String(contentsOf: Self.source.appendingPathComponent("Sources/NACHA/Diagnostic.swift"), encoding: .utf8)
        let declared = text.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("public static let"), line.contains(": Self = \"") else { return nil }
            return line.split(separator: "\"").dropFirst().first.map(String.init)
        }
        let catalog = Diagnostic.Code.catalog.map(\.code.rawValue)
        #expect(declared.count > 60)
        #expect(Set(declared) == Set(catalog))
        #expect(catalog.count == Set(catalog).count, "each code once")
    }

    @Test func theReadmeTableIsTheCatalog() throws {
        let url = Self.source.appendingPathComponent("README.md")
        var readme = try String(contentsOf: url, encoding: .utf8)
        let table = (["| code | severity | why |", "|---|---|---|"]
            + Diagnostic.Code.catalog.map { "| `\($0.code)` | \($0.severity.rawValue) | \($0.consequence) |" }).joined(separator: "\n") + "\n"
        let start = "<!-- severity table: written by SeverityCatalogTests -->\n", end = "<!-- end of severity table -->"
        let lower = try #require(readme.range(of: start)), upper = try #require(readme.range(of: end))
        var written = String(readme[lower.upperBound..<upper.lowerBound])
        if FixtureTests.writing {
            readme.replaceSubrange(lower.upperBound..<upper.lowerBound, with: table)
            try readme.write(to: url, atomically: true, encoding: .utf8)
            written = table
        }
        #expect(written == table)
    }
}
