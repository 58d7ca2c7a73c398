import Foundation
import Payments
import PostgresNIO

extension PostgresStore {
    /// Copies every ledger table of `source` into this database, which must be empty, in one
    /// transaction: all of it or nothing. Each table is then read back and its digest (row count
    /// and SHA-256 in key order) compared with the source's; any difference refuses the whole copy.
    /// Returns the digests, equal on both sides.
    public func copyTables(from source: any TableSource, pageSize: Int = 5_000) async throws -> [TableDigest] {
        // The copy carries the source's audit log and its rows' change sets as they are: it appends no entry of its own.
        try await transaction("copying a database", appendsAudit: false) { session in
            // The head row a new schema starts with gives way to the source's.
            try await session.count("DELETE FROM audit_head WHERE sequence = 0")
            for table in LedgerTable.all {
                if try await session.value(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table.name) LIMIT 1"), as: Int32.self) != nil {
                    throw StoreError(.conflict, "the target database is not empty: \(table.name) has rows")
                }
            }
            var digests: [TableDigest] = []
            for table in LedgerTable.all {
                let columns = try await Self.columns(of: table, session)
                var copied = TableDigest.Builder(table: table.name)
                var offset = 0
                while true {
                    let rows = try await source.rows(of: table, columns: columns.map(\.name), offset: offset, limit: pageSize)
                    guard !rows.isEmpty else { break }
                    try await Self.insert(rows, into: table, columns: columns, session)
                    copied.add(rows)
                    offset += rows.count
                }
                if columns.contains(where: \.isIdentity) {
                    // The next generated id follows the copied ones.
                    try await session.count(PostgresQuery(unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table.name)', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \(table.name)
                        """))
                }
                let stored = try await Self.digest(of: table, columns: columns, pageSize: pageSize, session)
                guard stored == copied.digest else {
                    throw StoreError(.conflict, "\(table.name) differs after the copy: \(copied.digest.rows) rows read, \(stored.rows) stored")
                }
                digests.append(stored)
            }
            return digests
        }
    }

    struct Column {
        enum Kind { case integer, text, boolean }
        var name: String
        var kind: Kind
        var isIdentity: Bool
    }

    private static func columns(of table: LedgerTable, _ session: Session) async throws -> [Column] {
        try await session.rows("""
            SELECT column_name::text, data_type::text, is_identity::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table.name) ORDER BY ordinal_position
            """).map { row in
            let (name, type, identity) = try row.decode((String, String, String).self)
            let kind: Column.Kind = switch type {
            case "bigint", "integer": .integer
            case "boolean": .boolean
            case "text": .text
            default: throw StoreError(.unavailable, "\(table.name).\(name) has a type the copy does not know: \(type)")
            }
            return Column(name: name, kind: kind, isIdentity: identity == "YES")
        }
    }

    private static func insert(_ rows: [[StoredValue]], into table: LedgerTable, columns: [Column], _ session: Session) async throws {
        var unnest = UnnestColumns()
        for (index, column) in columns.enumerated() {
            let values = rows.map { $0[index] }
            switch column.kind {
            case .integer:
                unnest.int(column.name, try values.map { value -> Int64? in
                    switch value {
                    case .null: return nil
                    case .integer(let number): return number
                    case .text: throw StoreError(.conflict, "\(table.name).\(column.name) holds text where PostgreSQL keeps an integer")
                    }
                })
            case .boolean:
                unnest.bool(column.name, try values.map { value -> Bool? in
                    switch value {
                    case .null: return nil
                    case .integer(let number): return number != 0
                    case .text: throw StoreError(.conflict, "\(table.name).\(column.name) holds text where PostgreSQL keeps a flag")
                    }
                })
            case .text:
                unnest.text(column.name, values.map { value -> String? in
                    switch value {
                    case .null: nil
                    case .integer(let number): String(number)
                    case .text(let text): text
                    }
                })
            }
        }
        let names = unnest.names.joined(separator: ", ")
        try await session.count(unnest.query("""
            INSERT INTO \(table.name) (\(names)) OVERRIDING SYSTEM VALUE SELECT * FROM \(unnest.unnest(as: "u"))
            """))
    }

    /// Reads `table` back in key order (text keys by their bytes, as SQLite orders them).
    private static func digest(of table: LedgerTable, columns: [Column], pageSize: Int, _ session: Session) async throws -> TableDigest {
        let order = table.key.map { key in
            columns.first { $0.name == key }?.kind == .text ? "\(key) COLLATE \"C\"" : key
        }.joined(separator: ", ")
        let select = "SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(order)"
        var digest = TableDigest.Builder(table: table.name)
        var offset = 0
        while true {
            let rows = try await session.rows(PostgresQuery(unsafeSQL: "\(select) LIMIT \(pageSize) OFFSET \(offset)")).map { row in
                try zip(row, columns).map { cell, column -> StoredValue in
                    switch column.kind {
                    case .integer: return try cell.decode(Int64?.self).map(StoredValue.integer) ?? .null
                    case .boolean: return try cell.decode(Bool?.self).map { StoredValue.integer($0 ? 1 : 0) } ?? .null
                    case .text: return try cell.decode(String?.self).map(StoredValue.text) ?? .null
                    }
                }
            }
            guard !rows.isEmpty else { return digest.digest }
            digest.add(rows)
            offset += rows.count
        }
    }
}
