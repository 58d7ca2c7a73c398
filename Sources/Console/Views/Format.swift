import Foundation
import NACHA
import Payments

/// How the console writes amounts, times and what is left of a deadline.
enum Format {
    static func cents(_ cents: Int64) -> String { Dollars.format(cents) }

    /// `2026-12-07 17:30:05 UTC`.
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        return timeFormatter.string(from: date) + " UTC"
    }

    private static let timeFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()

    /// `in 2 h 05 min`, `in 40 min`, or `passed 12 min ago`.
    static func countdown(to deadline: Date, from now: Date) -> String {
        let seconds = Int(deadline.timeIntervalSince(now))
        let minutes = abs(seconds) / 60
        let text = minutes >= 60 ? "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min" : "\(minutes) min"
        return seconds >= 0 ? "in \(text)" : "passed \(text) ago"
    }

    /// Where a history step came from, and the console page of that file when it is one.
    static func source(_ source: SourceReference?) -> (text: String, href: String?) {
        switch source {
        case .outboundFile(let id, let line)?: ("file \(id)" + (line.map { " line \($0)" } ?? ""), "/console/files/\(id)")
        case .inboundFile(let id, let line)?: ("bank file \(id)" + (line.map { " line \($0)" } ?? ""), "/console/bank-files/\(id)")
        case .apiRequest?: ("API request", nil)
        case .request?: ("request", nil)
        case .csvImport(let file, let line)?: ("CSV \(file) line \(line)", nil)
        case .operator?: ("operator", nil)
        case nil: ("", nil)
        }
    }

    /// A date typed in a filter (`2026-12-07`), as the start of that day in UTC.
    static func day(_ text: String?) throws(ConsoleError) -> Date? {
        guard let text else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text) else { throw .badRequest("\(text) is not a date (YYYY-MM-DD)") }
        return date
    }

    /// Dollars typed in a filter (`1250.00`, `1,250`), in cents.
    static func amount(_ text: String?, _ what: String) throws(ConsoleError) -> Int64? {
        guard let text else { return nil }
        let plain = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")
        guard let cents = CentsText.parse(plain) else { throw .badRequest("\(what) \(text) is not an amount in dollars, such as 1250.00") }
        return cents
    }
}
