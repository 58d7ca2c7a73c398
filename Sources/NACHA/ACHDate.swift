/// A `YYMMDD` calendar date as NACHA writes it. Years are 2000-based. The value is not checked
/// on construction so that a file with an impossible date can still be read and reported.
public struct ACHDate: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (byte by byte: the ledger reads one per payment row).
    public init?(iso text: some StringProtocol) {
        var utf8 = String(text).utf8.makeIterator()
        func number(_ digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let byte = utf8.next(), byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(4), utf8.next() == 0x2D, let month = number(2), utf8.next() == 0x2D,
              let day = number(2), utf8.next() == nil else { return nil }
        self.init(year: year, month: month, day: day)
        guard isValid else { return nil }
    }

    /// Parses a raw `YYMMDD` as files carry it; nil unless it is a calendar date.
    public init?(yymmdd text: String) {
        guard text.utf8.count == 6, let value = Int(text) else { return nil }
        self.init(yymmdd: value)
        guard isValid else { return nil }
    }

    /// Parses `YYYYMMDD`, as Positive Pay files carry dates; nil unless it is a calendar date.
    public init?(yyyymmdd text: some StringProtocol) {
        let utf8 = Array(String(text).utf8)
        guard utf8.count == 8, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        func number(_ range: Range<Int>) -> Int { utf8[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        self.init(year: number(0..<4), month: number(4..<6), day: number(6..<8))
        guard isValid else { return nil }
    }

    /// The date as `YYYYMMDD`.
    public var yyyymmdd: String { description.filter { $0 != "-" } }

    /// True when the date exists in the Gregorian calendar.
    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= Self.daysIn(month: month, year: year)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 = Sunday … 6 = Saturday (Sakamoto's method).
    public var weekday: Int {
        let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = month < 3 ? year - 1 : year
        return (y + y / 4 - y / 100 + y / 400 + offsets[(month - 1) % 12] + day) % 7
    }

    public var isWeekend: Bool { weekday == 0 || weekday == 6 }

    /// The date `days` later (or earlier, when negative).
    public func adding(days: Int) -> ACHDate {
        var date = self
        var remaining = days
        while remaining > 0 {
            date.day += 1
            if date.day > ACHDate.daysIn(month: date.month, year: date.year) {
                date.day = 1
                date.month += 1
                if date.month > 12 { date.month = 1; date.year += 1 }
            }
            remaining -= 1
        }
        while remaining < 0 {
            date.day -= 1
            if date.day < 1 {
                date.month -= 1
                if date.month < 1 { date.month = 12; date.year -= 1 }
                date.day = ACHDate.daysIn(month: date.month, year: date.year)
            }
            remaining += 1
        }
        return date
    }

    /// The `YYMMDD` digits as one number, for writing into a numeric field.
    var yymmdd: Int { (year % 100) * 10_000 + month * 100 + day }

    init(yymmdd: Int) {
        self.init(year: 2000 + yymmdd / 10_000, month: yymmdd / 100 % 100, day: yymmdd % 100)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: ACHDate, rhs: ACHDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A `HHMM` time of day.
public struct ACHTime: Sendable, Hashable, Codable {
    public var hour: Int
    public var minute: Int
    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }
    public var isValid: Bool { (0...23).contains(hour) && (0...59).contains(minute) }
    var hhmm: Int { hour * 100 + minute }
}
