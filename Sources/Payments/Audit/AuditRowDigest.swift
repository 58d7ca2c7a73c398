import Crypto

/// The SHA-256 of the rows a change set wrote, table by table in `AuditedTable.all` order and each
/// table's rows in id order: every value as text (NULL apart from the empty string), unit- and
/// record-separated, so no two different sets of rows digest alike. Fed a row at a time, so a
/// 100,000-row change set is never held whole.
public struct AuditRowDigest {
    private var hasher = SHA256()
    public private(set) var count = 0
    /// The actor of the first row that has one: the change set's actor when its record names none.
    public private(set) var firstActor: String?

    public init() {}

    public mutating func add(_ table: AuditedTable, _ values: [String?]) {
        count += 1
        var text = table.name
        for value in values {
            text += value.map { "\u{1F}" + $0 } ?? "\u{1F}\u{0}"
        }
        text += "\u{1E}"
        hasher.update(data: Array(text.utf8))
        if firstActor == nil, let column = table.actorColumn, let index = table.columns.firstIndex(of: column) {
            firstActor = values[index]
        }
    }

    /// What was fed: the count, the digest and the first actor.
    public var rows: AuditRows {
        AuditRows(count: count, digest: hasher.finalize().map { String(format: "%02x", $0) }.joined(), firstActor: firstActor)
    }
}

/// A change set's rows as digested (`AuditRowDigest`).
public struct AuditRows: Sendable, Hashable {
    public var count: Int
    public var digest: String
    public var firstActor: String?
}
