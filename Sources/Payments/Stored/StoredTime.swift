import Foundation

/// Times as every store keeps them: whole milliseconds since 1970 in an integer column, so both
/// stores hold the same values and a database moves between them unchanged.
public enum StoredTime {
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
