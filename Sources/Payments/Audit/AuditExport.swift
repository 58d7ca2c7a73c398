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

    /// An entry as exported: the time in milliseconds, as it is hashed.
    public struct Entry: Codable, Sendable {
        public var sequence: Int64
        public var atMilliseconds: Int64
        public var actor: String
        public var action: String
        public var subjects: [String]
        public var detail: String
        public var changeSet: String
        public var rowCount: Int
        public var rowsDigest: String
        public var previousHash: String
        public var hash: String
        /// Past the excerpt, up to the checkpoint: there to link the excerpt to it.
        public var bridge: Bool

        enum CodingKeys: String, CodingKey {
            case sequence, atMilliseconds = "at_ms", actor, action, subjects, detail, changeSet = "change_set", rowCount = "row_count",
                 rowsDigest = "rows_digest", previousHash = "previous_hash", hash, bridge
        }

        public init(_ entry: AuditEntry, bridge: Bool) {
            sequence = entry.sequence
            atMilliseconds = Int64((entry.at.timeIntervalSince1970 * 1000).rounded())
            (actor, action, subjects, detail, changeSet) = (entry.actor, entry.action.rawValue, entry.subjects, entry.detail, entry.changeSet)
            (rowCount, rowsDigest, previousHash, hash, self.bridge) = (entry.rowCount, entry.rowsDigest, entry.previousHash, entry.hash, bridge)
        }

        /// The entry it stands for, or nil when its action is not one metl knows.
        public var entry: AuditEntry? {
            guard let action = AuditAction(rawValue: action) else { return nil }
            return AuditEntry(sequence: sequence, at: Date(timeIntervalSince1970: TimeInterval(atMilliseconds) / 1000), actor: actor,
                              action: action, subjects: subjects, detail: detail, changeSet: changeSet, rowCount: rowCount,
                              rowsDigest: rowsDigest, previousHash: previousHash, hash: hash)
        }
    }

    /// One line: exactly one of its members is set.
    public struct Line: Codable, Sendable {
        public var header: Header?
        public var entry: Entry?
        public var checkpoint: AuditCheckpoint?
        public init(header: Header? = nil, entry: Entry? = nil, checkpoint: AuditCheckpoint? = nil) {
            (self.header, self.entry, self.checkpoint) = (header, entry, checkpoint)
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
            } else if let exported = line.entry {
                guard let header, checkpoint == nil else { return fail("entry \(exported.sequence) is outside the excerpt's header and checkpoint") }
                guard let entry = exported.entry else { return fail("entry \(exported.sequence) has an unknown action \(exported.action)") }
                if let last, entry.sequence != last.sequence + 1 { return fail("entry \(last.sequence + 1) is missing") }
                guard entry.previousHash == (last?.hash ?? header.hashBefore) else {
                    return fail("entry \(entry.sequence) does not follow the one before it")
                }
                guard entry.computedHash == entry.hash else { return fail("entry \(entry.sequence) does not hash to its hash: it was changed") }
                last = (entry.sequence, entry.hash)
                if !exported.bridge { entries += 1 }
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
