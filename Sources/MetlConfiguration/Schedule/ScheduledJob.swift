import Foundation
import NACHA
import Pipeline

/// One job the machine runs on a clock: what it runs (`metl` and its arguments), when (times of day
/// or an interval over some hours, on weekdays or every day) and in which time zone.
public struct ScheduledJob: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case cutoff, positivePay = "positive-pay", decisions, ingest, reconcile, idempotencyPurge = "idempotency-purge"
    }

    /// When in a day it runs.
    public enum Times: Sendable, Hashable {
        /// At these times, each in its time zone (the ACH cutoff runs at each profile's windows).
        case at([ZonedTime])
        /// Every `minutes` from `firstHour`:00 through the last such minute of `lastHour`.
        case every(minutes: Int, firstHour: Int, lastHour: Int, timeZone: TimeZone)
    }

    /// A time of day in a time zone.
    public struct ZonedTime: Sendable, Hashable, Comparable {
        public var time: ACHTime
        public var timeZone: TimeZone

        public static func < (left: ZonedTime, right: ZonedTime) -> Bool {
            (left.timeZone.identifier, left.time.hour, left.time.minute) < (right.timeZone.identifier, right.time.hour, right.time.minute)
        }
    }

    public var kind: Kind
    public var times: Times
    /// Monday to Friday (banking days; metl itself knows the holidays), or every day.
    public var weekdaysOnly: Bool
    /// `metl`'s arguments.
    public var arguments: [String]
    /// What the job does, for a unit's description and `schedule show`.
    public var summary: String

    /// The systemd unit name without its suffix, and the cron line's comment.
    public var unitName: String { "metl-\(kind.rawValue)" }

    /// One run: when, and the time of day and zone it was configured as.
    public struct Run: Sendable, Hashable {
        public var date: Date
        public var time: ACHTime
        public var timeZone: TimeZone
    }

    /// Its runs that start on the calendar day of `day` in each time's zone, in order.
    public func runs(onDayOf day: Date) -> [Run] {
        var runs: [Run] = []
        for (time, zone) in occurrences {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if weekdaysOnly, parts.weekday == 1 || parts.weekday == 7 { continue }
            parts.hour = time.hour
            parts.minute = time.minute
            parts.weekday = nil
            if let date = calendar.date(from: parts) { runs.append(Run(date: date, time: time, timeZone: zone)) }
        }
        return runs.sorted { $0.date < $1.date }
    }

    /// Every time of day it runs, with its zone.
    var occurrences: [(ACHTime, TimeZone)] {
        switch times {
        case .at(let times):
            return times.map { ($0.time, $0.timeZone) }
        case .every(let minutes, let first, let last, let zone):
            return (first...last).flatMap { hour in stride(from: 0, to: 60, by: minutes).map { (ACHTime(hour: hour, minute: $0), zone) } }
        }
    }

    /// The first run after `date`, looking a week ahead.
    public func nextRun(after date: Date) -> Date? {
        for day in 0...8 {
            if let next = runs(onDayOf: date.addingTimeInterval(Double(day) * 86_400)).first(where: { $0.date > date }) { return next.date }
        }
        return nil
    }

    /// The time zones it runs in.
    public var timeZones: [TimeZone] {
        var seen: [TimeZone] = []
        for (_, zone) in occurrences where !seen.contains(zone) { seen.append(zone) }
        return seen
    }
}
