import Payments
import PostgresNIO

/// The columns of a set-based write, each bound as one array parameter and read back row by row
/// with `unnest`: a plan of 100,000 rows is one statement and one round trip per table, whatever
/// its size. Scalars shared by every row follow the arrays as ordinary parameters.
struct UnnestColumns {
    private(set) var names: [String] = []
    private var casts: [String] = []
    private(set) var binds = PostgresBindings()

    mutating func text(_ name: String, _ values: [String]) { add(name, "text[]") { $0.append(values) } }
    mutating func text(_ name: String, _ values: [String?]) { add(name, "text[]") { $0.append(NullableArray(values)) } }
    mutating func int(_ name: String, _ values: [Int64]) { add(name, "int8[]") { $0.append(values) } }
    mutating func int(_ name: String, _ values: [Int64?]) { add(name, "int8[]") { $0.append(NullableArray(values)) } }

    fileprivate mutating func add(_ name: String, _ cast: String, _ bind: (inout PostgresBindings) -> Void) {
        precondition(casts.count == binds.count, "array columns come before scalars")
        names.append(name)
        casts.append(cast)
        bind(&binds)
    }

    /// Binds a value shared by every row; returns its placeholder.
    mutating func scalar(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func scalar(_ value: (some PostgresDynamicTypeEncodable)?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// `unnest($1::text[], $2::int8[], …) AS alias(name, …)`.
    func unnest(as alias: String) -> String {
        let arrays = casts.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        return "unnest(\(arrays)) AS \(alias)(\(names.joined(separator: ", ")))"
    }

    /// `INSERT INTO table (names) SELECT * FROM unnest(…)`.
    func insert(into table: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(names.joined(separator: ", "))) SELECT * FROM \(unnest(as: "u"))",
                      binds: binds)
    }

    func query(_ sql: String) -> PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

extension Session {
    /// Inserts the rows of `columns` into `table`; nothing when there are none.
    func insert(into table: String, rows: Int, _ build: (inout UnnestColumns) -> Void) async throws {
        guard rows > 0 else { return }
        var columns = UnnestColumns()
        build(&columns)
        try await count(columns.insert(into: table))
    }
}

extension Session {
    /// Inserts history rows (payments' or checks'), the request named in `requestColumn`.
    func insert(_ history: [HistoryEntry], into table: String, requestColumn: String) async throws {
        try await insert(into: table, rows: history.count) { columns in
            columns.text(requestColumn, history.map(\.requestID))
            columns.int("version", history.map { Int64($0.version) })
            columns.text("from_state", history.map { $0.fromState?.rawValue })
            columns.text("to_state", history.map(\.toState.rawValue))
            columns.text("actor", history.map(\.actor.rawValue))
            columns.text("reason_code", history.map(\.reasonCode))
            columns.text("reason_text", history.map(\.reasonText))
            columns.text("source_file", history.map { $0.source?.file })
            columns.int("source_line", history.map { $0.source?.line.map(Int64.init) })
            columns.int("created_at", history.map { StoredTime.milliseconds($0.createdAt) })
        }
    }
}

extension UnnestColumns {
    mutating func bool(_ name: String, _ values: [Bool?]) { add(name, "bool[]") { $0.append(NullableArray(values)) } }
}
