import Foundation
import NACHA

extension ACHDate {
    /// The calendar date of `date` in the machine's time zone: the day the bank's business is on.
    public init(_ date: Date) {
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    /// Today in the machine's time zone.
    public static func today() -> ACHDate { ACHDate(Date()) }
}

extension ACHTime {
    /// The local wall-clock hour and minute of `date`: what a file header carries.
    public init(_ date: Date) {
        let parts = Calendar.current.dateComponents([.hour, .minute], from: date)
        self.init(hour: parts.hour ?? 0, minute: parts.minute ?? 0)
    }
}
