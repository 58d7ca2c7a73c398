import ArgumentParser
import Foundation
import NACHA
import Payments

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "validate",
        abstract: "Check NACHA files strictly, streaming; print FILE:LINE:COL: severity CODE message.",
        discussion: """
            Severities follow the consequence (README, "Severity of validator findings"): error, the operator or the bank \
            rejects it; warning, nonconforming but processed; info. Exit 0 when no file has errors (warnings allowed; \
            with --strict, none either), 1 when any has, 3 when a file cannot be read or is not NACHA (BAI2, text …).
            """)

    @Argument(help: "NACHA files, or - for standard input.") var files: [String]
    @Flag(help: "Fail on warnings too: what metl sends must pass this.") var strict = false
    @OptionGroup var output: OutputOptions

    struct FileReport: Encodable {
        var file: String
        var errors: Int
        var warnings: Int
        var infos: Int
        var records: Int
        var diagnostics: [DiagnosticDocument]
    }

    func run() throws {
        var reports: [FileReport] = []
        var anyErrors = false
        for file in files {
            try NACHAInput.require(file)
            let result = try Reader.read(path: file)
            anyErrors = anyErrors || result.hasErrors || (strict && result.hasWarnings)
            if output.json {
                reports.append(FileReport(file: file, errors: result.errorCount, warnings: result.warningCount,
                                          infos: result.infoCount, records: result.recordCount, diagnostics: result.diagnostics.map(DiagnosticDocument.init)))
            } else {
                for diagnostic in result.diagnostics { Output.line("\(file):\(diagnostic)") }
                Output.error("\(file): \(Words.count(result.errorCount, "error")), \(Words.count(result.warningCount, "warning")) in \(Words.count(result.recordCount, "record"))")
            }
        }
        if output.json { try Output.json(reports) }
        if anyErrors { throw ExitStatus.findings }
    }
}

/// A diagnostic as JSON tools read it.
struct DiagnosticDocument: Encodable {
    var line: Int
    var column: Int
    var severity: String
    var code: String
    var recordType: String?
    var field: String?
    var positions: [Int]?
    var message: String
    enum CodingKeys: String, CodingKey {
        case line, column, severity, code, recordType = "record_type", field, positions, message
    }
    init(_ diagnostic: Diagnostic) {
        line = diagnostic.line
        column = diagnostic.columns?.lowerBound ?? 1
        severity = diagnostic.severity.rawValue
        code = diagnostic.code.rawValue
        recordType = diagnostic.recordType.map(String.init)
        field = diagnostic.field
        positions = diagnostic.columns.map { [$0.lowerBound, $0.upperBound] }
        message = diagnostic.message
    }
}
