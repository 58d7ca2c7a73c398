/// When a payment asks to settle: the next banking day (the default), or the same day in one of
/// its bank profile's Same Day ACH windows. A same-day payment no window can take fails with
/// `same_day_window_missed`; only `sameDayOrNext` lets it settle the next banking day instead.
public enum Settlement: String, Sendable, Hashable, Codable, CaseIterable {
    case nextDay = "next_day"
    case sameDay = "same_day"
    case sameDayOrNext = "same_day_or_next"

    public var asksSameDay: Bool { self != .nextDay }

    /// The failure (and note) code of a same-day payment that missed the day's last window.
    public static let windowMissedCode = "same_day_window_missed"
}
