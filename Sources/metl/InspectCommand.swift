import ArgumentParser
import Foundation
import NACHA
import Payments

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "inspect",
        abstract: "Show a NACHA file record by record with named fields, then recomputed totals.",
        discussion: "Streams the file; --json prints one object per record plus diagnostics and totals.")

    @Argument(help: "A NACHA file, or - for standard input.") var file: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        var sec: StandardEntryClass?
        var first = true
        try NACHAInput.require(file)
        if output.json { FileHandle.standardOutput.write(Data("{\"records\":[\n".utf8)) }
        let result = try Reader.read(path: file) { record, line in
            if record[0] == UInt8(ascii: "5") {
                sec = StandardEntryClass(rawValue: RecordLayout.raw(BatchHeader.Fields.standardEntryClass, in: record).trimmingCharacters(in: .whitespaces))
            }
            let (name, fields) = RecordLayout.describe(record, standardEntryClass: sec)
            if output.json {
                let fieldDocuments: [FieldDocument] = fields.map { field in
                    let raw = RecordLayout.raw(field, in: record)
                    return FieldDocument(name: field.name, start: field.start, end: field.end, value: raw, meaning: field.interpret(raw))
                }
                let document = RecordDocument(line: line, type: name, fields: fieldDocuments)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var data = Data((first ? "" : ",\n").utf8)
                data.append((try? encoder.encode(document)) ?? Data("{}".utf8))
                FileHandle.standardOutput.write(data)
                first = false
            } else {
                printRecord(record, line: line, name: name, fields: fields)
            }
        }
        let totals = TotalsDocument(result)
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var tail = Data("\n],\"diagnostics\":".utf8)
            tail.append(try encoder.encode(result.diagnostics.map(DiagnosticDocument.init)))
            tail.append(Data(",\"totals\":".utf8))
            tail.append(try encoder.encode(totals))
            tail.append(Data("}\n".utf8))
            FileHandle.standardOutput.write(tail)
        } else {
            printSummary(result, totals)
        }
        if result.hasErrors { throw ExitStatus.findings }
    }

    private func printRecord(_ record: UnsafeBufferPointer<UInt8>, line: Int, name: String, fields: [Field]) {
        Output.line("line \(line): \(name)")
        if fields.isEmpty {
            if name != "padding" { Output.line("  \(String(decoding: record, as: UTF8.self))") }
            return
        }
        for field in fields where field.meaning != .constant {
            let raw = RecordLayout.raw(field, in: record)
            let positions = field.length == 1 ? "\(field.start)" : "\(field.start)-\(field.end)"
            let meaning = field.interpret(raw).map { "  (\($0))" } ?? ""
            Output.line("  \(positions.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                        + "\(field.name.padding(toLength: 36, withPad: " ", startingAt: 0)) [\(raw)]\(meaning)")
        }
    }

    private func printSummary(_ result: ReadResult, _ totals: TotalsDocument) {
        Output.line()
        Output.line("Totals (file control vs recomputed from the records)")
        Output.table(["FIELD", "DECLARED", "COMPUTED", ""], totals.rows.map(\.comparison).map { row in
            [row.name, row.declared.map { row.isAmount ? Dollars.format($0) : String($0) } ?? "missing",
             row.isAmount ? Dollars.format(row.computed) : String(row.computed), row.matches ? "match" : "MISMATCH"]
        })
        Output.line()
        if result.diagnostics.isEmpty {
            Output.line("No problems found.")
        } else {
            Output.line("Diagnostics")
            for diagnostic in result.diagnostics { Output.line("  \(diagnostic)") }
        }
        Output.line("\(Words.count(result.recordCount, "record")), \(Words.count(result.errorCount, "error")), \(Words.count(result.warningCount, "warning"))")
    }
}

struct FieldDocument: Encodable {
    var name: String
    var start: Int
    var end: Int
    var value: String
    var meaning: String?
}

struct RecordDocument: Encodable {
    var line: Int
    var type: String
    var fields: [FieldDocument]
}

/// The file control values next to the ones recomputed from the records.
struct TotalsDocument: Encodable {
    struct Row: Encodable {
        var comparison: ControlComparison
        enum CodingKeys: String, CodingKey { case name, declared, computed, matches }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(comparison.name, forKey: .name)
            try container.encodeIfPresent(comparison.declared, forKey: .declared)
            try container.encode(comparison.computed, forKey: .computed)
            try container.encode(comparison.matches, forKey: .matches)
        }
    }

    var rows: [Row]

    init(_ result: ReadResult) {
        rows = result.controlComparisons.map(Row.init)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rows)
    }
}
