import Foundation

/// The SHA-256 of the rows a change set wrote, table by table in `AuditedTable.all` order and each
/// table's rows in id order: every value as its text's bytes (NULL apart from the empty string),
/// unit- and record-separated, so no two different sets of rows digest alike. Fed a row at a
/// time, so a 100,000-row change set is never held whole.
public struct AuditRowDigest {
    private var hasher = SHA256Digest.Stream()
    private var buffer: [UInt8] = []
    public private(set) var count = 0
    /// The actor of the first row that has one: the change set's actor when its record names none.
    public private(set) var firstActor: String?

    public init() {
        buffer.reserveCapacity(512)
    }

    /// One row: `append(i, &bytes)` appends the text of column `i` (in `table.columns` order) and
    /// returns true, or returns false for NULL. A reader hands over its own buffers that way, copying
    /// nothing else (SQLite's, straight from the statement).
    public mutating func add(_ table: AuditedTable, append: (Int, inout [UInt8]) -> Bool) {
        count += 1
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: table.name.utf8)
        for index in table.columns.indices {
            buffer.append(0x1F)
            let start = buffer.count
            guard append(index, &buffer) else { buffer.append(0x00); continue }
            if firstActor == nil, index == table.actorIndex { firstActor = String(decoding: buffer[start...], as: UTF8.self) }
        }
        buffer.append(0x1E)
        buffer.withUnsafeBytes { hasher.update($0) }
    }

    /// One row of values as text, nil for NULL.
    public mutating func add(_ table: AuditedTable, _ values: [String?]) {
        add(table) { index, bytes in
            guard let value = values[index] else { return false }
            bytes.append(contentsOf: value.utf8)
            return true
        }
    }

    /// What was fed: the count, the digest and the first actor.
    public var rows: AuditRows {
        AuditRows(count: count, digest: hasher.hex, firstActor: firstActor)
    }
}

/// A change set's rows as digested (`AuditRowDigest`).
public struct AuditRows: Sendable, Hashable {
    public var count: Int
    public var digest: String
    public var firstActor: String?
}
