import BankFiles
import Foundation

/// `validate` and `inspect` read NACHA files. A file of another kind (a BAI2 report, a README) would
/// be a diagnostic on every line; it is refused once instead, saying what it looks like, as ingest
/// tells the formats apart. A NACHA file that lost its header is still NACHA and gets its diagnostics.
enum NACHAInput {
    struct NotNACHA: Error, CustomStringConvertible {
        enum Code: String, Sendable { case otherFormat = "other_format" }
        let code = Code.otherFormat
        let path: String
        let looksLike: String
        var description: String { "\(path): not a NACHA file (looks like \(looksLike))" }
    }

    /// Refuses `path` unless its first record is a NACHA one. Standard input is not peeked.
    static func require(_ path: String) throws {
        // A file that cannot be opened is the reader's to report, with the system's reason.
        guard path != "-", let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 4_096) ?? Data()
        let kind = InboundKind.detect(head)
        if kind == .nacha { return }
        let firstLine = head.split(whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }).first { !$0.allSatisfy { $0 == 32 } }
        if kind == .unknown, let firstLine, (90...100).contains(firstLine.count), let type = firstLine.first,
           Array("156789".utf8).contains(type) {
            return
        }
        let looksLike: String
        if head.isEmpty {
            looksLike = "an empty file"
        } else if kind != .unknown {
            looksLike = kind.formatName
        } else {
            let text = String(validating: head.prefix(4_000), as: UTF8.self) != nil
                && !head.contains { $0 < 9 || ($0 > 13 && $0 < 32) }
            looksLike = text ? "text" : "binary data"
        }
        throw NotNACHA(path: path, looksLike: looksLike)
    }
}
