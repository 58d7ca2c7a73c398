import Foundation
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// One table of an export, written as it is read: `NAME.csv` (RFC 4180, a header row) and
/// `NAME.jsonl` (one JSON object a line, the same columns), both owner-only, each hashed as
/// written so the manifest can name its SHA-256.
final class ExportTable {
    enum Value {
        case text(String), integer(Int64), null
    }

    let name: String
    let columns: [String]
    private(set) var rows = 0
    private let csv: FileHandle
    private let jsonl: FileHandle
    private var csvHash = SHA256Digest.Stream()
    private var jsonlHash = SHA256Digest.Stream()

    init(_ name: String, columns: [String], in directory: String) throws(PipelineError) {
        self.name = name
        self.columns = columns
        csv = try Self.create("\(directory)/\(name).csv")
        jsonl = try Self.create("\(directory)/\(name).jsonl")
        try write(columns.map(Self.csvField).joined(separator: ",") + "\r\n", to: csv, hash: &csvHash)
    }

    /// A new file, 0600 whatever the umask: exports hold what the ledger holds.
    private static func create(_ path: String) throws(PipelineError) -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw PipelineError(.configuration, "cannot create \(path): it exists or the directory is not writable") }
        fchmod(descriptor, 0o600)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func append(_ values: [Value]) throws(PipelineError) {
        precondition(values.count == columns.count, "an export row has one value per column")
        try write(values.map(Self.csvField).joined(separator: ",") + "\r\n", to: csv, hash: &csvHash)
        let members = zip(columns, values).map { column, value in "\(Self.jsonString(column)):\(Self.json(value))" }
        try write("{" + members.joined(separator: ",") + "}\n", to: jsonl, hash: &jsonlHash)
        rows += 1
    }

    /// Flushes both files to disk and returns their digests.
    func finish() throws(PipelineError) -> (csv: String, jsonl: String) {
        do {
            try csv.synchronize()
            try jsonl.synchronize()
        } catch {
            throw PipelineError(.internal, "cannot write the \(name) export: \(error.localizedDescription)")
        }
        return (csvHash.hex, jsonlHash.hex)
    }

    private func write(_ text: String, to handle: FileHandle, hash: inout SHA256Digest.Stream) throws(PipelineError) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { hash.update($0) }
        do { try handle.write(contentsOf: bytes) } catch { throw PipelineError(.internal, "cannot write the \(name) export: \(error.localizedDescription)") }
    }

    /// A CSV field: quoted when it holds a comma, a quote or a line break. Text a spreadsheet would
    /// run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`, so opening an export never runs one.
    static func csvField(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .integer(let number): return String(number)
        case .text(let text): return csvField(text)
        }
    }

    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func json(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .integer(let number): String(number)
        case .text(let text): jsonString(text)
        }
    }

    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
