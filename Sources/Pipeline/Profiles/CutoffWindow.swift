import NACHA

/// One delivery window of a bank profile's day: the cutoff run starts at `runsAt` and the bank must
/// hold the files by `bankDeadline`, both in the profile's time zone. A same-day window takes the
/// day's Same Day ACH payments (and next-day ones when `nextDay` says so); a next-day window takes
/// next-day payments only.
public struct CutoffWindow: Sendable, Hashable, Codable {
    public var name: String
    public var runsAt: ACHTime
    public var bankDeadline: ACHTime
    public var sameDay: Bool
    public var nextDay: Bool

    public init(name: String, runsAt: ACHTime, bankDeadline: ACHTime, sameDay: Bool, nextDay: Bool = true) {
        self.name = name
        self.runsAt = runsAt
        self.bankDeadline = bankDeadline
        self.sameDay = sameDay
        self.nextDay = nextDay
    }

    /// `HH:MM`, as configuration and listings spell a time of day.
    public static func time(_ text: String) -> ACHTime? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
        let time = ACHTime(hour: hour, minute: minute)
        return time.isValid ? time : nil
    }

    public static func text(_ time: ACHTime) -> String {
        (time.hour < 10 ? "0" : "") + "\(time.hour):" + (time.minute < 10 ? "0" : "") + "\(time.minute)"
    }
}

extension ACHTime {
    /// Minutes since midnight.
    public var minutes: Int { hour * 60 + minute }
}
