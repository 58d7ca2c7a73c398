import Foundation
import Payments
import PostgresNIO

/// The audit log's writes and reads on PostgreSQL. Entries must be chained in one order while
/// several instances write at once. Each transaction appends its entry last, after its rows, by
/// updating the single `audit_head` row first: that row lock is the narrowest one that orders
/// the log. It is taken only at the end of a transaction that wrote covered rows (others never
/// touch it) and held only until that transaction commits, so writers serialise for the few
/// statements of the append, not for their work; a writer that waits for the lock reads the head
/// its predecessor committed (READ COMMITTED re-reads a row it waited for), so no two entries
/// share a sequence and each entry's previous hash is the one committed before it.
enum PostgresAuditLog {
    @discardableResult
    static func append(_ record: AuditRecord?, changeSet: String, _ session: Session, at now: Date,
                       acting: Actor? = AuditActing.actor) async throws -> AuditEntry? {
        if record == nil {
            let written = AuditedTable.all.map { "EXISTS (SELECT 1 FROM \($0.name) WHERE change_set = $1)" }.joined(separator: " OR ")
            guard try await session.value(PostgresQuery(unsafeSQL: "SELECT \(written)", binds: binds(changeSet)), as: Bool.self) == true else {
                return nil
            }
        }
        let rows = try await digest(changeSet, session)
        guard let locked = try await session.rows("UPDATE audit_head SET sequence = sequence WHERE id = 1 RETURNING sequence, hash").first else {
            throw StoreError(.unavailable, "the audit log has no head row")
        }
        let (sequence, hash) = try locked.decode((Int64, String).self)
        var head: (sequence: Int64, hash: String)? = sequence > 0 ? (sequence, hash) : nil
        if head == nil {
            let genesis = AuditEntry.next(after: nil, record: AuditRecord(actor: Actor(rawValue: "metl"), action: .genesis),
                                          changeSet: AuditEntry.genesisChangeSet, rows: try await digest(nil, session), at: now)
            try await insert(genesis, session)
            head = (genesis.sequence, genesis.hash)
        }
        let entry = AuditEntry.next(after: head, record: record ?? AuditRecord(action: .ledgerChange), changeSet: changeSet, rows: rows,
                                    acting: acting, at: now)
        try await insert(entry, session)
        return entry
    }

    private static func binds(_ value: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }

    private static func insert(_ entry: AuditEntry, _ session: Session) async throws {
        try await session.count("""
            INSERT INTO audit_log (\(unescaped: AuditEntry.columnList))
            VALUES (\(entry.sequence), \(PostgresStore.milliseconds(entry.at)), \(entry.actor), \(entry.action.rawValue), \(entry.storedSubjects),
                    \(entry.detail), \(entry.changeSet), \(Int64(entry.rowCount)), \(entry.rowsDigest), \(entry.previousHash), \(entry.hash))
            """)
        try await session.count("UPDATE audit_head SET sequence = \(entry.sequence), hash = \(entry.hash) WHERE id = 1")
    }

    /// The rows of `changeSet` (nil: those of no change set, written before the log), table by
    /// table in id order, read a page at a time.
    static func digest(_ changeSet: String?, _ session: Session) async throws -> AuditRows {
        var digest = AuditRowDigest()
        for table in AuditedTable.all {
            let columns = table.columns.map { "\($0)::text" }.joined(separator: ", ")
            let filter = changeSet == nil ? "change_set IS NULL" : "change_set = $1"
            var after: String?
            while true {
                var binds = changeSet.map(Self.binds) ?? PostgresBindings()
                var sql = "SELECT id::text, \(columns) FROM \(table.name) WHERE \(filter)"
                if let after {
                    binds.append(after)
                    sql += " AND id > $\(binds.count)::\(table.name == "approvals" ? "text" : "bigint")"
                }
                sql += " ORDER BY id LIMIT 5000"
                let rows = try await session.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
                for row in rows {
                    var cells = row.makeRandomAccess()
                    digest.add(table, try (1...table.columns.count).map { try cells[$0].decode(String?.self) })
                    after = try cells[0].decode(String.self)
                }
                if rows.count < 5000 { break }
            }
        }
        return digest.rows
    }
}

extension PostgresStore: AuditStore {
    public func appendAudit(_ record: AuditRecord, at now: Date) async throws -> AuditEntry {
        let entry = try await transaction("appending to the audit log", appendsAudit: false) { session in
            try await PostgresAuditLog.append(record, changeSet: Identifier.make(prefix: "chg"), session, at: now)
        }
        guard let entry else { throw StoreError(.unavailable, "no audit entry was appended") }
        return entry
    }

    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read("reading the audit log") { session in
            try await session.rows("""
                SELECT \(unescaped: AuditEntry.columnList) FROM audit_log WHERE sequence > \(after) ORDER BY sequence LIMIT \(Int64(limit))
                """).map(AuditEntry.init(_:))
        }
    }

    public func auditHead() async throws -> (sequence: Int64, hash: String)? {
        try await read("reading the audit log's head") { session in
            guard let row = try await session.rows("SELECT sequence, hash FROM audit_head WHERE id = 1").first else { return nil }
            let (sequence, hash) = try row.decode((Int64, String).self)
            return sequence > 0 ? (sequence, hash) : nil
        }
    }

    public func auditRows(changeSet: String) async throws -> AuditRows {
        try await read("reading an audit entry's rows") { session in
            try await PostgresAuditLog.digest(changeSet == AuditEntry.genesisChangeSet ? nil : changeSet, session)
        }
    }

    public func unauditedRows() async throws -> [String: Int] {
        try await read("looking for rows no audit entry covers") { session in
            var found: [String: Int] = [:]
            for table in AuditedTable.all {
                let count = try await session.value(PostgresQuery(unsafeSQL: """
                    SELECT count(*) FROM \(table.name) WHERE change_set IS NOT NULL
                      AND change_set NOT IN (SELECT change_set FROM audit_log) AND change_set NOT IN (SELECT id FROM imports)
                    """), as: Int64.self) ?? 0
                if count > 0 { found[table.name] = Int(count) }
            }
            return found
        }
    }
}
