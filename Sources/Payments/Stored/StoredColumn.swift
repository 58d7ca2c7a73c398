import NACHA

/// Reads a stored column back into its type, the same way for every store: a value this build does
/// not know is a `StoreError` (`undecodable`) naming its table and column, never a default that
/// would make an unknown state look like `P_FAILED`.
public enum StoredColumn {
    /// The enum case stored as `raw` in `table.column`.
    public static func decode<Value: RawRepresentable>(_ raw: Value.RawValue, as type: Value.Type = Value.self, table: String,
                                                      column: String) throws(StoreError) -> Value {
        guard let value = Value(rawValue: raw) else { throw undecodable(table, column, "\(raw)") }
        return value
    }

    /// The optional enum case stored in `table.column`: nil stays nil, an unknown value throws.
    public static func decode<Value: RawRepresentable>(ifPresent raw: Value.RawValue?, as type: Value.Type = Value.self, table: String,
                                                      column: String) throws(StoreError) -> Value? {
        guard let raw else { return nil }
        return try decode(raw, as: Value.self, table: table, column: column)
    }

    /// The `YYYY-MM-DD` day stored in `table.column`.
    public static func day(_ raw: String, table: String, column: String) throws(StoreError) -> ACHDate {
        guard let day = ACHDate(iso: raw) else { throw undecodable(table, column, raw) }
        return day
    }

    /// The optional `YYYY-MM-DD` day stored in `table.column`.
    public static func day(ifPresent raw: String?, table: String, column: String) throws(StoreError) -> ACHDate? {
        guard let raw else { return nil }
        return try day(raw, table: table, column: column)
    }

    /// A source reference stored as `file` and `line` in `table`.
    public static func source(file: String?, line: Int?, table: String) throws(StoreError) -> SourceReference? {
        guard let file else { return nil }
        guard let source = SourceReference(file: file, line: line) else { throw undecodable(table, "source_file", file) }
        return source
    }

    /// The error for a value that does not decode. Stored values are ours (states, kinds, dates),
    /// but the message shows at most their first 40 characters.
    public static func undecodable(_ table: String, _ column: String, _ raw: String) -> StoreError {
        StoreError(.undecodable, "\(table).\(column) holds \"\(raw.prefix(40))\", which this version of metl cannot read")
    }
}
