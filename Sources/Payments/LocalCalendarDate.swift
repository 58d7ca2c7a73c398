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
