import Foundation
import GRDB
import GRDBSQLite
import Payments

/// The audit log's writes and reads on SQLite. SQLite's single writer orders the entries: each is
/// appended inside the transaction whose rows it covers, after them, so the sequence is the commit
/// order and no two transactions ever read the same head.
enum AuditLog {
    /// Appends the entry for the rows of `changeSet` (and, before the first, the genesis entry for
    /// the rows written before the log existed). Nothing when there is no record and no rows.
    @discardableResult
    /// `tables`, when known, are the only covered tables the change set wrote; nil: any may hold its rows.
    static func append(_ record: AuditRecord?, changeSet: String, _ db: Database, at now: Date, tables: Set<String>? = nil,
                       acting: Actor? = nil) throws -> AuditEntry? {
        if record == nil, tables?.isEmpty == true { return nil }
        let rows = try digest(changeSet, db, tables: tables)
        guard record != nil || rows.count > 0 else { return nil }
        var head = try self.head(db)
        if head == nil {
            let genesis = AuditEntry.next(after: nil, record: AuditRecord(actor: Actor(rawValue: "metl"), action: .genesis),
                                          changeSet: AuditEntry.genesisChangeSet, rows: try digest(nil, db), at: now)
            try insert(genesis, db)
            head = (genesis.sequence, genesis.hash)
        }
        let entry = AuditEntry.next(after: head, record: record ?? AuditRecord(action: .ledgerChange), changeSet: changeSet, rows: rows,
                                    acting: acting, at: now)
        try insert(entry, db)
        return entry
    }

    static func head(_ db: Database) throws -> (sequence: Int64, hash: String)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT sequence, hash FROM audit_head WHERE id = 1")),
              let sequence: Int64 = row[0], sequence > 0 else { return nil }
        return (sequence, row[1])
    }

    private static func insert(_ entry: AuditEntry, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_log (\(AuditEntry.columnList)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").execute(arguments: [
            entry.sequence, SQLiteStore.milliseconds(entry.at), entry.actor, entry.action.rawValue, entry.storedSubjects, entry.detail,
            entry.changeSet, entry.rowCount, entry.rowsDigest, entry.previousHash, entry.hash,
        ])
        try db.cachedStatement(sql: "UPDATE audit_head SET sequence = ?, hash = ? WHERE id = 1").execute(arguments: [entry.sequence, entry.hash])
    }

    /// The rows of `changeSet` (nil: those of no change set, written before the log), table by table in id order.
    static func digest(_ changeSet: String?, _ db: Database, tables: Set<String>? = nil) throws -> AuditRows {
        var digest = AuditRowDigest()
        for table in AuditedTable.all where tables?.contains(table.name) ?? true {
            let columns = table.columns.map { "CAST(\($0) AS TEXT)" }.joined(separator: ", ")
            let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM \(table.name) WHERE change_set IS ? ORDER BY id")
            try statement.setArguments([changeSet])
            // Straight from SQLite's buffers: a Row and its values per row would cost more than the hash.
            let handle = statement.sqliteStatement
            defer { sqlite3_reset(handle) }
            while true {
                let step = sqlite3_step(handle)
                if step == SQLITE_DONE { break }
                guard step == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: step), message: "reading audited rows") }
                digest.add(table) { index, bytes in
                    guard sqlite3_column_type(handle, Int32(index)) != SQLITE_NULL, let text = sqlite3_column_text(handle, Int32(index)) else {
                        return false
                    }
                    bytes.append(contentsOf: UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, Int32(index)))))
                    return true
                }
            }
        }
        return digest.rows
    }
}

extension SQLiteStore: AuditStore {
    public func appendAudit(_ record: AuditRecord, at now: Date) async throws -> AuditEntry {
        let acting = AuditActing.actor
        let entry = try await write("appending to the audit log", appendsAudit: false) { db in
            try AuditLog.append(record, changeSet: Identifier.make(prefix: AuditChangeSet.idPrefix), db, at: now, acting: acting)
        }
        guard let entry else { throw StoreError(.unavailable, "no audit entry was appended") }
        return entry
    }

    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read("reading the audit log") { db in
            try Row.fetchAll(db, sql: "SELECT \(AuditEntry.columnList) FROM audit_log WHERE sequence > ? ORDER BY sequence LIMIT ?",
                             arguments: [after, limit]).map(AuditEntry.init(_:))
        }
    }

    public func auditHead() async throws -> (sequence: Int64, hash: String)? {
        try await read("reading the audit log's head") { db in try AuditLog.head(db) }
    }

    public func auditRows(changeSet: String) async throws -> AuditRows {
        try await read("reading an audit entry's rows") { db in
            try AuditLog.digest(changeSet == AuditEntry.genesisChangeSet ? nil : changeSet, db)
        }
    }

    public func unauditedRows() async throws -> [String: Int] {
        try await read("looking for rows no audit entry covers") { db in
            var found: [String: Int] = [:]
            for table in AuditedTable.all {
                let count = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM \(table.name) WHERE change_set IS NOT NULL
                      AND change_set NOT IN (SELECT change_set FROM audit_log) AND change_set NOT IN (SELECT id FROM imports)
                    """) ?? 0
                if count > 0 { found[table.name] = count }
            }
            return found
        }
    }
}
