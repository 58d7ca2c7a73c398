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

    /// One row, each value's text as bytes (nil: NULL), in `table.columns` order.
    public mutating func add(_ table: AuditedTable, bytes values: [Data?]) {
        count += 1
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: table.name.utf8)
        for value in values {
            buffer.append(0x1F)
            if let value { buffer.append(contentsOf: value) } else { buffer.append(0x00) }
        }
        buffer.append(0x1E)
        buffer.withUnsafeBytes { hasher.update($0) }
        if firstActor == nil, let index = table.actorIndex, let actor = values[index] {
            firstActor = String(decoding: actor, as: UTF8.self)
        }
    }

    /// One row whose values a reader hands over without copying: `value(i)` is the text of column
    /// `i` as bytes valid for the call, nil for NULL.
    public mutating func add(_ table: AuditedTable, value: (Int) -> UnsafeRawBufferPointer?) {
        count += 1
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: table.name.utf8)
        for index in table.columns.indices {
            buffer.append(0x1F)
            if let bytes = value(index) { buffer.append(contentsOf: bytes) } else { buffer.append(0x00) }
            if firstActor == nil, index == table.actorIndex, let bytes = value(index) { firstActor = String(decoding: bytes, as: UTF8.self) }
        }
        buffer.append(0x1E)
        buffer.withUnsafeBytes { hasher.update($0) }
    }

    public mutating func add(_ table: AuditedTable, _ values: [String?]) {
        add(table, bytes: values.map { $0.map { Data($0.utf8) } })
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
