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

    /// Bytes gathered before a write: a large export is a few thousand writes, not one per row.
    private static let flushSize = 1 << 20

    let name: String
    let columns: [String]
    private(set) var rows = 0
    private let csv: FileHandle
    private let jsonl: FileHandle
    private var csvBytes: [UInt8] = []
    private var jsonlBytes: [UInt8] = []
    private var csvHash = SHA256Digest.Stream()
    private var jsonlHash = SHA256Digest.Stream()
    /// Each column's `"name":` as JSON Lines writes it, made once.
    private let memberNames: [[UInt8]]

    init(_ name: String, columns: [String], in directory: String) throws(PipelineError) {
        self.name = name
        self.columns = columns
        memberNames = columns.map { column in
            var bytes: [UInt8] = []
            CanonicalJSON.string(column, into: &bytes)
            return bytes + [UInt8(ascii: ":")]
        }
        csv = try Self.create("\(directory)/\(name).csv")
        jsonl = try Self.create("\(directory)/\(name).jsonl")
        csvBytes.append(contentsOf: columns.map(Self.csvField).joined(separator: ",").utf8)
        csvBytes.append(contentsOf: [0x0D, 0x0A])
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
        jsonlBytes.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 {
                csvBytes.append(UInt8(ascii: ","))
                jsonlBytes.append(UInt8(ascii: ","))
            }
            csvBytes.append(contentsOf: Self.csvField(value).utf8)
            jsonlBytes.append(contentsOf: memberNames[index])
            switch value {
            case .null: jsonlBytes.append(contentsOf: "null".utf8)
            case .integer(let number): jsonlBytes.append(contentsOf: String(number).utf8)
            case .text(let text): CanonicalJSON.string(text, into: &jsonlBytes)
            }
        }
        csvBytes.append(contentsOf: [0x0D, 0x0A])
        jsonlBytes.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
        rows += 1
        if csvBytes.count + jsonlBytes.count >= Self.flushSize { try flush() }
    }

    /// Writes what is gathered, and flushes both files to disk; returns their digests.
    func finish() throws(PipelineError) -> (csv: String, jsonl: String) {
        try flush()
        do {
            try csv.synchronize()
            try jsonl.synchronize()
        } catch {
            throw PipelineError(.internal, "cannot write the \(name) export: \(error.localizedDescription)")
        }
        return (csvHash.hex, jsonlHash.hex)
    }

    private func flush() throws(PipelineError) {
        try write(&csvBytes, to: csv, hash: &csvHash)
        try write(&jsonlBytes, to: jsonl, hash: &jsonlHash)
    }

    private func write(_ bytes: inout [UInt8], to handle: FileHandle, hash: inout SHA256Digest.Stream) throws(PipelineError) {
        bytes.withUnsafeBytes { hash.update($0) }
        do { try handle.write(contentsOf: bytes) } catch { throw PipelineError(.internal, "cannot write the \(name) export: \(error.localizedDescription)") }
        bytes.removeAll(keepingCapacity: true)
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
}
