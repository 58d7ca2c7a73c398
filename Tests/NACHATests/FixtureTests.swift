import Foundation
import Testing
@testable import NACHA

/// The files under fixtures/nacha are written by these tests (METL_WRITE_FIXTURES=1) and checked
/// against them otherwise, so the committed fixtures always match the library that wrote them.
@Suite struct FixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/nacha")
    static let writing = ProcessInfo.processInfo.environment["METL_WRITE_FIXTURES"] == "1"

    static func check(_ name: String, _ bytes: [UInt8]) throws {
        let url = directory.appendingPathComponent(name)
        if writing {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let committed = try [UInt8](Data(contentsOf: url))
        #expect(committed == bytes, "\(name) differs from what the library writes; regenerate with METL_WRITE_FIXTURES=1")
    }

    @Test(arguments: SampleFiles.valid.map(\.name))
    func validFixtures(name: String) throws {
        let file = try #require(SampleFiles.valid.first { $0.name == name }?.file)
        let bytes = try Writer().render(file)
        try Self.check("\(name).ach", bytes)
        #expect(Reader.read(bytes).errorCount == 0)
    }

    @Test(arguments: Malformed.cases.map(\.name))
    func malformedFixtures(name: String) throws {
        let sample = try #require(Malformed.cases.first { $0.name == name })
        let bytes = try sample.bytes()
        try Self.check("malformed/\(name).ach", bytes)
        let result = Reader.read(bytes)
        let rendered = result.diagnostics.map { "\(name).ach:\($0)" }.joined(separator: "\n") + "\n"
        try Self.check("malformed/\(name).expected", Array(rendered.utf8))
        #expect(result.diagnostics.map(\.code) == sample.codes)
        // The streaming path reports exactly what the whole-file path does.
        let url = Self.directory.appendingPathComponent("malformed/\(name).ach")
        #expect(try Reader.read(path: url.path, chunkSize: 97).diagnostics == result.diagnostics)
    }
}

/// Broken files, each made from a valid one by one precise change, with the codes it must produce.
enum Malformed {
    struct Case: Sendable {
        var name: String
        var codes: [Diagnostic.Code]
        var make: @Sendable () throws -> [UInt8]
        func bytes() throws -> [UInt8] { try make() }
    }

    /// Lines of a rendered sample (LF-separated, no final newline handling needed).
    static func records(_ file: ACHFile) throws -> [String] {
        String(decoding: try Writer().render(file), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func join(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    static func replace(_ line: String, at start: Int, with text: String) -> String {
        var characters = Array(line)
        characters.replaceSubrange((start - 1)..<(start - 1 + text.count), with: Array(text))
        return String(characters)
    }

    static let cases: [Case] = [
        Case(name: "wrong-entry-hash", codes: [.batchEntryHash]) {
            var lines = try records(SampleFiles.ppdCredits)
            lines[5] = replace(lines[5], at: 11, with: "0025840128")
            return join(lines)
        },
        Case(name: "bad-check-digit", codes: [.checkDigit]) {
            var lines = try records(SampleFiles.ppdCredits)
            lines[2] = replace(lines[2], at: 12, with: "0")
            return join(lines)
        },
        Case(name: "bad-block-count", codes: [.blockCount]) {
            var lines = try records(SampleFiles.ppdCredits)
            lines[6] = replace(lines[6], at: 8, with: "000002")
            return join(lines)
        },
        Case(name: "short-line", codes: [.shortLine, .nonNumeric]) {
            var lines = try records(SampleFiles.ppdCredits)
            lines[3] = String(lines[3].prefix(79))
            return join(lines)
        },
        Case(name: "non-numeric-amount", codes: [.nonNumeric, .batchCreditTotal, .fileCreditTotal]) {
            var lines = try records(SampleFiles.ppdCredits)
            lines[2] = replace(lines[2], at: 30, with: "00001A0000")
            return join(lines)
        },
        Case(name: "duplicate-trace", codes: [.duplicateTrace]) {
            var file = SampleFiles.mixed
            file.batches[1].entries[0].detail.traceNumber = file.batches[0].entries[0].detail.traceNumber
            return try Writer().render(file)
        },
        Case(name: "missing-file-control", codes: [.missingFileControl]) {
            let lines = try records(SampleFiles.ppdCredits)
            return join(Array(lines.prefix(6)))
        },
        Case(name: "record-after-file-control", codes: [.recordAfterFileControl]) {
            var lines = try records(SampleFiles.ppdCredits)
            lines.insert(lines[1], at: 7)
            lines.removeLast()
            return join(lines)
        },
    ]
}
