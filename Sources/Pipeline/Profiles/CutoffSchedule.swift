import Foundation
import NACHA
import Payments

/// A bank profile's day: its cutoff windows in its time zone, on its banking days. It decides
/// which window a cutoff run is in, and so which payments the run takes: a same-day window takes
/// the day's Same Day ACH payments in their own batches dated today; outside a same-day window a
/// same-day payment that no later window of the day can take has missed the day.
public struct CutoffSchedule: Sendable, Hashable {
    public var windows: [CutoffWindow]
    public var timeZone: TimeZone
    public var calendar: BankCalendar
    /// `SD` + the window's HHMM in the company descriptive date of same-day batches, when the bank asks.
    public var sameDayDescriptiveDate: Bool

    /// No windows: every run is a next-day run, and Same Day ACH is not offered.
    public static let nextDayOnly = CutoffSchedule(unchecked: [], timeZone: .current, calendar: .federalReserve, sameDayDescriptiveDate: false)

    /// Checks the windows: in order of their run times, each one's delivery (`delivery`, the cutoff
    /// job's window) fits before its bank deadline, and no two overlap.
    public init(windows: [CutoffWindow], timeZone: TimeZone, calendar: BankCalendar = .federalReserve,
                sameDayDescriptiveDate: Bool = false, delivery: Duration) throws(PipelineError) {
        let sorted = windows.sorted { $0.runsAt.minutes < $1.runsAt.minutes }
        let deliveryMinutes = Int((delivery.components.seconds + 59) / 60)
        for window in sorted {
            guard window.runsAt.minutes + deliveryMinutes <= window.bankDeadline.minutes else {
                throw PipelineError(.configuration, "window \(window.name): the \(deliveryMinutes)-minute delivery from "
                                    + "\(CutoffWindow.text(window.runsAt)) does not fit before the bank deadline \(CutoffWindow.text(window.bankDeadline))")
            }
            guard window.sameDay || window.nextDay else {
                throw PipelineError(.configuration, "window \(window.name) takes neither same-day nor next-day payments")
            }
        }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where later.runsAt.minutes < earlier.bankDeadline.minutes {
            throw PipelineError(.configuration, "windows \(earlier.name) and \(later.name) overlap: \(later.name) runs at "
                                + "\(CutoffWindow.text(later.runsAt)), before \(earlier.name)'s deadline \(CutoffWindow.text(earlier.bankDeadline))")
        }
        if Set(sorted.map(\.name)).count != sorted.count { throw PipelineError(.configuration, "two windows have the same name") }
        self.init(unchecked: sorted, timeZone: timeZone, calendar: calendar, sameDayDescriptiveDate: sameDayDescriptiveDate)
    }

    private init(unchecked windows: [CutoffWindow], timeZone: TimeZone, calendar: BankCalendar, sameDayDescriptiveDate: Bool) {
        self.windows = windows
        self.timeZone = timeZone
        self.calendar = calendar
        self.sameDayDescriptiveDate = sameDayDescriptiveDate
    }

    public var offersSameDay: Bool { windows.contains { $0.sameDay } }

    /// The profile's calendar day at `date`.
    public func today(at date: Date) -> ACHDate { ACHDate(date, in: timeZone) }

    /// The window a run at `date` is in: started at or after its run time and before its bank
    /// deadline, on a banking day. Nil between windows, on a closed day, or with no windows.
    public func window(at date: Date) -> CutoffWindow? {
        guard calendar.isBankingDay(today(at: date)) else { return nil }
        let now = ACHTime(date, in: timeZone).minutes
        return windows.first { $0.runsAt.minutes <= now && now < $0.bankDeadline.minutes }
    }

    /// When the approval window of a file rendered at `date` closes: the bank deadline of the
    /// window the run is in, else the end of the profile's calendar day.
    public func approvalDeadline(forFileRenderedAt date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let midnight = calendar.startOfDay(for: date)
        guard let window = window(at: date) else {
            return calendar.date(byAdding: .day, value: 1, to: midnight) ?? midnight.addingTimeInterval(86_400)
        }
        return calendar.date(byAdding: .minute, value: window.bankDeadline.minutes, to: midnight)
            ?? midnight.addingTimeInterval(TimeInterval(window.bankDeadline.minutes * 60))
    }

    /// The window open at `date`, else the next one to open on a banking day within two weeks: its
    /// run time and bank deadline as instants. Nil with no windows.
    public func nextWindow(at date: Date) -> (window: CutoffWindow, runsAt: Date, deadline: Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let midnight = calendar.startOfDay(for: date)
        for offset in 0..<14 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: midnight),
                  self.calendar.isBankingDay(today(at: day.addingTimeInterval(43_200))) else { continue }
            for window in windows {
                guard let runsAt = calendar.date(byAdding: .minute, value: window.runsAt.minutes, to: day),
                      let deadline = calendar.date(byAdding: .minute, value: window.bankDeadline.minutes, to: day),
                      deadline > date else { continue }
                return (window, runsAt, deadline)
            }
        }
        return nil
    }

    /// What a run at `date` takes, and which same-day payments have missed the day.
    public func run(at date: Date) -> Run {
        let today = today(at: date)
        let current = window(at: date)
        let now = ACHTime(date, in: timeZone).minutes
        let laterSameDay = calendar.isBankingDay(today) && windows.contains { $0.sameDay && $0.runsAt.minutes > now }
        return Run(today: today, window: current, takesSameDay: current?.sameDay == true,
                   takesNextDay: current.map(\.nextDay) ?? true, sameDayStillPossible: current?.sameDay == true || laterSameDay,
                   descriptiveDate: current.flatMap { window in
                       sameDayDescriptiveDate && window.sameDay
                           ? "SD" + String(CutoffWindow.text(window.runsAt).filter { $0 != ":" }) : nil
                   })
    }

    /// One run's share of the day.
    public struct Run: Sendable, Hashable {
        public var today: ACHDate
        public var window: CutoffWindow?
        /// Same-day payments dated today go out now, in batches dated today.
        public var takesSameDay: Bool
        public var takesNextDay: Bool
        /// False once no window of the day can take a same-day payment any more.
        public var sameDayStillPossible: Bool
        /// `SDHHMM` for the company descriptive date of same-day batches, when the profile asks.
        public var descriptiveDate: String?

        /// Whether this run sends `payment`.
        public func takes(_ payment: Payment) -> Bool {
            payment.settlement.asksSameDay ? takesSameDay && payment.effectiveDate == today : takesNextDay
        }

        /// A same-day payment no window can take any more: dated before today, or today with the day's
        /// last same-day window gone (or none at all).
        public func missed(_ payment: Payment) -> Bool {
            payment.settlement.asksSameDay && (payment.effectiveDate < today || (payment.effectiveDate == today && !sameDayStillPossible))
        }
    }
}
