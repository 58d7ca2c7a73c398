import Foundation
import NACHA

extension ACHDate {
    /// The calendar date of `date` in `timeZone` (the machine's by default): the day the bank's business is on.
    public init(_ date: Date, in timeZone: TimeZone = .current) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    /// Today in the machine's time zone.
    public static func today() -> ACHDate { ACHDate(Date()) }
}

extension ACHTime {
    /// The wall-clock hour and minute of `date` in `timeZone` (the machine's by default): what a file header carries.
    public init(_ date: Date, in timeZone: TimeZone = .current) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        self.init(hour: parts.hour ?? 0, minute: parts.minute ?? 0)
    }
}
