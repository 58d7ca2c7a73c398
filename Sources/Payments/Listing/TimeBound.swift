import Foundation
import NACHA

/// The `--since` / `--until` (and `since` / `until` query) values: an RFC 3339 timestamp, or a
/// calendar date in a time zone. A date starts its day as a lower bound and ends it as an upper
/// one, so `--since 2026-12-07 --until 2026-12-07` is that whole day.
public enum TimeBound {
    public enum Side: Sendable { case lower, upper }

    public static let expected = "a date (2026-12-07) or an RFC 3339 time (2026-12-07T14:30:00Z)"

    public static func parse(_ text: String, side: Side, timeZone: TimeZone) -> Date? {
        if let date = ACHDate(iso: text) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            guard let start = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else { return nil }
            return side == .lower ? start : calendar.date(byAdding: .day, value: 1, to: start)
        }
        if let time = try? Date(text, strategy: .iso8601) { return time }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
