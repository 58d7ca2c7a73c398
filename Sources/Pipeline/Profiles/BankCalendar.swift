import NACHA

/// Banking days: no weekends and no Fed holidays (a holiday on a Sunday is observed on Monday; on a
/// Saturday the Fed does not close the Friday before), nor any day a bank profile adds.
public struct BankCalendar: Sendable, Hashable {
    /// Days the bank is closed besides the Fed's holidays.
    public var extraHolidays: Set<ACHDate>

    public init(extraHolidays: Set<ACHDate> = []) {
        self.extraHolidays = extraHolidays
    }

    /// The Federal Reserve's calendar alone: every profile's default.
    public static let federalReserve = BankCalendar()

    public func isBankingDay(_ date: ACHDate) -> Bool {
        !date.isWeekend && !Self.holidays(in: date.year).contains(date) && !extraHolidays.contains(date)
    }

    /// The first banking day strictly after `date`.
    public func nextBankingDay(after date: ACHDate) -> ACHDate {
        var day = date.adding(days: 1)
        while !isBankingDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// The effective entry date to put in a batch: the requested date when it is a banking day
    /// after today, else the next banking day that is.
    public func effectiveDate(requested: ACHDate, today: ACHDate) -> ACHDate {
        var date = max(requested, nextBankingDay(after: today))
        while !isBankingDay(date) { date = date.adding(days: 1) }
        return date
    }

    static func holidays(in year: Int) -> Set<ACHDate> {
        func fixed(_ month: Int, _ day: Int) -> ACHDate {
            let date = ACHDate(year: year, month: month, day: day)
            return date.weekday == 0 ? date.adding(days: 1) : date
        }
        /// The n-th given weekday of a month (n = -1: the last).
        func nth(_ n: Int, _ weekday: Int, _ month: Int) -> ACHDate {
            if n > 0 {
                var date = ACHDate(year: year, month: month, day: 1)
                while date.weekday != weekday { date = date.adding(days: 1) }
                return date.adding(days: 7 * (n - 1))
            }
            var date = ACHDate(year: year, month: month, day: ACHDate.daysIn(month: month, year: year))
            while date.weekday != weekday { date = date.adding(days: -1) }
            return date
        }
        return [
            fixed(1, 1), nth(3, 1, 1), nth(3, 1, 2), nth(-1, 1, 5), fixed(6, 19), fixed(7, 4), nth(1, 1, 9),
            nth(2, 1, 10), fixed(11, 11), nth(4, 4, 11), fixed(12, 25),
        ]
    }
}
