import Foundation

/// One entry of the audit log: a committed change set, chained to the entry before it. Its hash is
/// SHA-256 over a canonical encoding of every field and the previous entry's hash, so changing,
/// deleting, inserting or reordering an entry breaks the chain from there on; `rowsDigest` is the
/// digest of the rows it wrote (`AuditRowDigest`), recomputed from the tables as they are now by
/// `metl audit verify`.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var sequence: Int64
    public var at: Date
    public var actor: String
    public var action: AuditAction
    public var subjects: [String]
    public var detail: String
    /// Where its rows are: the `change_set` they carry.
    public var changeSet: String
    public var rowCount: Int
    public var rowsDigest: String
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, at: Date, actor: String, action: AuditAction, subjects: [String], detail: String, changeSet: String,
                rowCount: Int, rowsDigest: String, previousHash: String, hash: String) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subjects = subjects
        self.detail = detail
        self.changeSet = changeSet
        self.rowCount = rowCount
        self.rowsDigest = rowsDigest
        self.previousHash = previousHash
        self.hash = hash
    }

    /// In JSON (`metl audit log --json`, exports) the time is in milliseconds, as it is hashed.
    enum CodingKeys: String, CodingKey {
        case sequence, atMilliseconds = "at_ms", actor, action, subjects, detail, changeSet = "change_set", rowCount = "row_count",
             rowsDigest = "rows_digest", previousHash = "previous_hash", hash
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sequence: try container.decode(Int64.self, forKey: .sequence),
                  at: Date(timeIntervalSince1970: TimeInterval(try container.decode(Int64.self, forKey: .atMilliseconds)) / 1000),
                  actor: try container.decode(String.self, forKey: .actor), action: try container.decode(AuditAction.self, forKey: .action),
                  subjects: try container.decode([String].self, forKey: .subjects), detail: try container.decode(String.self, forKey: .detail),
                  changeSet: try container.decode(String.self, forKey: .changeSet), rowCount: try container.decode(Int.self, forKey: .rowCount),
                  rowsDigest: try container.decode(String.self, forKey: .rowsDigest),
                  previousHash: try container.decode(String.self, forKey: .previousHash), hash: try container.decode(String.self, forKey: .hash))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(milliseconds, forKey: .atMilliseconds)
        try container.encode(actor, forKey: .actor)
        try container.encode(action, forKey: .action)
        try container.encode(subjects, forKey: .subjects)
        try container.encode(detail, forKey: .detail)
        try container.encode(changeSet, forKey: .changeSet)
        try container.encode(rowCount, forKey: .rowCount)
        try container.encode(rowsDigest, forKey: .rowsDigest)
        try container.encode(previousHash, forKey: .previousHash)
        try container.encode(hash, forKey: .hash)
    }

    /// The time in milliseconds, as stored and hashed.
    var milliseconds: Int64 { Int64((at.timeIntervalSince1970 * 1000).rounded()) }

    /// The change set of the genesis entry: the rows written before the log existed carry none.
    public static let genesisChangeSet = ""

    /// The hash before the first entry.
    public static let zeroHash = String(repeating: "0", count: 64)

    /// The entry after `head` (sequence and hash; nil for the first) recording `record` and its rows.
    /// Its actor: the record's, else the one acting (`AuditActing`), else its first row's.
    public static func next(after head: (sequence: Int64, hash: String)?, record: AuditRecord, changeSet: String, rows: AuditRows,
                            acting: Actor? = nil, at: Date) -> AuditEntry {
        var entry = AuditEntry(sequence: (head?.sequence ?? 0) + 1, at: at,
                               actor: record.actor?.rawValue ?? acting?.rawValue ?? rows.firstActor ?? "metl", action: record.action, subjects: record.subjects,
                               detail: record.detail, changeSet: changeSet, rowCount: rows.count, rowsDigest: rows.digest,
                               previousHash: head?.hash ?? zeroHash, hash: "")
        entry.hash = entry.computedHash
        return entry
    }

    /// The SHA-256 of the canonical encoding: a version line, then each field on a line of its own
    /// (subjects comma-joined; the time in milliseconds, as stored), then the previous hash.
    public var computedHash: String {
        let lines = ["metl-audit-v1", String(sequence), String(milliseconds), actor, action.rawValue, subjects.joined(separator: ","),
                     detail, changeSet, String(rowCount), rowsDigest, previousHash]
        return SHA256Digest.hex(Array(lines.map { $0.contains("\n") ? $0.replacingOccurrences(of: "\n", with: "\\n") : $0 }
            .joined(separator: "\n").utf8))
    }
}
