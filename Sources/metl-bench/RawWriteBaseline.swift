import Foundation
import GRDB
import GRDBSQLite

/// The floor under a batch job: the rows the job wrote, written again into a copy of the database as
/// it was before the job, straight through prepared statements in one transaction, with no metl
/// logic (no parsing, no planning, no checks). Same schema, indexes and pragmas (WAL,
/// `synchronous=FULL`); only the writes are timed. Values are bound and stepped through SQLite's C
/// API, one prepared statement per table, so no library overhead hides in the floor.
struct RawWriteBaseline {
    /// A copy of the database at `path`, taken before the job runs.
    let copy: String

    /// Copies the database at `path` (consistently, through SQLite) beside it.
    static func snapshot(of path: String) async throws -> RawWriteBaseline {
        let copy = path + ".raw-baseline"
        try? FileManager.default.removeItem(atPath: copy)
        let pool = try DatabasePool(path: path)
        try await pool.writeWithoutTransaction { try $0.execute(sql: "VACUUM INTO ?", arguments: [copy]) }
        try pool.close()
        return RawWriteBaseline(copy: copy)
    }

    /// What the job at `path` changed since the snapshot: each table's new rows (new payments
    /// among them), and the existing payments whose row changed (as updates by trace number, the key
    /// a bank file names them by).
    struct Changes {
        var inserts: [(table: String, columns: [String], rows: [[DatabaseValue]])] = []
        var paymentUpdates: [[DatabaseValue]] = []
        var balances: [[DatabaseValue]] = []

        var summary: String {
            (inserts.filter { !$0.rows.isEmpty }.map { "\($0.rows.count) \($0.table)" }
                + ["\(paymentUpdates.count) payments updated"]).joined(separator: ", ")
        }
    }

    static let updatedPaymentColumns = ["state", "version", "reserved_cents", "failure_code", "failure_message", "updated_at"]

    /// Reads the job's writes by comparing the database at `path` with the snapshot.
    func changes(madeIn path: String) async throws -> Changes {
        let pool = try DatabasePool(path: path)
        defer { try? pool.close() }
        return try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS before", arguments: [copy])
            defer { try? db.execute(sql: "DETACH DATABASE before") }
            var changes = Changes()
            // The file ledgers first, then payments: other new rows refer to them. The audit log's
            // head is one row updated, not inserted: left out (its entries are in).
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                  AND name NOT IN ('merchants', 'grdb_migrations', 'audit_head')
                ORDER BY name NOT IN ('inbound_files', 'outbound_files'), name != 'payments', name
                """)
            for table in tables {
                let columns = try db.columns(in: table).map(\.name)
                let list = columns.joined(separator: ", ")
                let new = table == "payments"
                    ? "SELECT \(list) FROM main.payments WHERE id NOT IN (SELECT id FROM before.payments)"
                    : "SELECT \(list) FROM main.\(table) EXCEPT SELECT \(list) FROM before.\(table)"
                let rows = try Row.fetchAll(db, sql: new).map { row in columns.indices.map { row[$0] as DatabaseValue } }
                changes.inserts.append((table, columns, rows))
            }
            let updated = Self.updatedPaymentColumns.joined(separator: ", ")
            changes.paymentUpdates = try Row.fetchAll(db, sql: """
                SELECT \(updated), trace_number FROM main.payments WHERE id IN (SELECT id FROM before.payments)
                EXCEPT SELECT \(updated), trace_number FROM before.payments
                """).map { row in (0...Self.updatedPaymentColumns.count).map { row[$0] as DatabaseValue } }
            changes.balances = try Row.fetchAll(db, sql: """
                SELECT balance_cents, id FROM main.merchants EXCEPT SELECT balance_cents, id FROM before.merchants
                """).map { [$0[0], $0[1]] }
            return changes
        }
    }

    /// Writes `changes` into the snapshot in one transaction, one prepared statement per table;
    /// returns the seconds it took.
    func write(_ changes: Changes) async throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let pool = try DatabasePool(path: copy, configuration: configuration)
        defer {
            try? pool.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
        }
        let (_, seconds) = try await measure {
            try await pool.write { db in
                let assignments = Self.updatedPaymentColumns.map { "\($0) = ?" }.joined(separator: ", ")
                try Self.run(db.makeStatement(sql: "UPDATE payments SET \(assignments) WHERE trace_number = ?"), changes.paymentUpdates)
                try Self.run(db.makeStatement(sql: "UPDATE merchants SET balance_cents = ? WHERE id = ?"), changes.balances)
                for (table, columns, rows) in changes.inserts where !rows.isEmpty {
                    try Self.run(db.makeStatement(sql: """
                        INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
                        """), rows)
                }
            }
        }
        return seconds
    }

    /// Runs `statement` once per row: reset, bind, step.
    private static func run(_ statement: Statement, _ rows: [[DatabaseValue]]) throws {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        func check(_ code: CInt, _ expected: CInt) throws {
            guard code != expected else { return }
            throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
        }
        for row in rows {
            sqlite3_reset(handle)
            for (index, value) in row.enumerated() { try check(value.bind(to: handle, at: CInt(index + 1)), SQLITE_OK) }
            try check(sqlite3_step(handle), SQLITE_DONE)
        }
    }
}
