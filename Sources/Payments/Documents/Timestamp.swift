import Foundation

/// RFC 3339 UTC timestamps with milliseconds, the one format metl prints.
public enum Timestamp {
    /// Rounded to the millisecond the ledger stores, so a time printed before and after a round trip
    /// through the database is the same text (formatting alone truncates 0.455 stored as 0.45499…).
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = Date(timeIntervalSince1970: Double(fraction < 0 ? seconds - 1 : seconds))
        let text = whole.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        let digits = String((fraction + 1000) % 1000)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
