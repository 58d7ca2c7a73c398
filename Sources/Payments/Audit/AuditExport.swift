import Foundation

/// An excerpt of the audit log a third party can verify without metl's database: JSON Lines of a
/// header (the span, the hash before its first entry), each entry with every field its hash
/// covers, the entries from the excerpt's end up to the first checkpoint at or after it
/// (`bridge`), and that signed checkpoint. `AuditExport.Check` recomputes every hash, the chain
/// from the hash before to the checkpoint, and the checkpoint's signature.
public enum AuditExport {
    public static let format = "metl-audit-export-v1"

    public struct Header: Codable, Sendable {
        public var format: String
        public var since: String
        public var until: String
        /// The hash of the entry before the first one exported (zeros when it is the first of the log).
        public var hashBefore: String
        enum CodingKeys: String, CodingKey { case format, since, until, hashBefore = "hash_before" }
        public init(since: String, until: String, hashBefore: String) {
            (self.format, self.since, self.until, self.hashBefore) = (AuditExport.format, since, until, hashBefore)
        }
    }

    /// One line: a header, an entry, or the checkpoint.
    public struct Line: Codable, Sendable {
        public var header: Header?
        public var entry: AuditEntry?
        /// An entry past the excerpt, up to the checkpoint: there to link the excerpt to it.
        public var bridge: Bool?
        public var checkpoint: AuditCheckpoint?
        public init(header: Header? = nil, entry: AuditEntry? = nil, bridge: Bool? = nil, checkpoint: AuditCheckpoint? = nil) {
            (self.header, self.entry, self.bridge, self.checkpoint) = (header, entry, bridge, checkpoint)
        }
    }

    /// Checks an export line by line: what a third party runs (`metl audit verify-export`).
    public struct Check: Sendable {
        public private(set) var entries = 0
        public private(set) var checkpoint: AuditCheckpoint?
        public private(set) var problem: String?
        private var header: Header?
        private var last: (sequence: Int64, hash: String)?

        public init() {}

        public mutating func consume(_ line: Line) {
            guard problem == nil else { return }
            if let header = line.header {
                guard self.header == nil, header.format == AuditExport.format else { return fail("the first line is not a \(AuditExport.format) header") }
                self.header = header
            } else if let entry = line.entry {
                guard let header, checkpoint == nil else { return fail("entry \(entry.sequence) is outside the excerpt's header and checkpoint") }
                if let last, entry.sequence != last.sequence + 1 { return fail("entry \(last.sequence + 1) is missing") }
                guard entry.previousHash == (last?.hash ?? header.hashBefore) else {
                    return fail("entry \(entry.sequence) does not follow the one before it")
                }
                guard entry.computedHash == entry.hash else { return fail("entry \(entry.sequence) does not hash to its hash: it was changed") }
                last = (entry.sequence, entry.hash)
                if line.bridge != true { entries += 1 }
            } else if let checkpoint = line.checkpoint {
                guard checkpoint.isValid() else { return fail("the checkpoint's signature does not hold") }
                guard let last, last.sequence == checkpoint.sequence, last.hash == checkpoint.hash else {
                    return fail("the entries do not reach the checkpoint's entry \(checkpoint.sequence)")
                }
                self.checkpoint = checkpoint
            } else {
                fail("a line is neither header, entry nor checkpoint")
            }
        }

        /// Whether the whole excerpt held, up to a signed checkpoint.
        public mutating func finish() -> Bool {
            if problem == nil, checkpoint == nil { fail(header == nil ? "no header" : "no checkpoint covers the excerpt") }
            return problem == nil
        }

        private mutating func fail(_ message: String) { problem = message }
    }
}
