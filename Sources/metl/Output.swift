import Foundation
import Payments

/// Everything the executable prints goes through here: JSON documents and aligned tables.
enum Output {
    /// The encoder of every JSON document printed.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func json(_ value: some Encodable) throws {
        let data = try jsonEncoder().encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// One line: control characters in it are escaped (values from files, the bank and requests
    /// reach the terminal through here), so print several lines with several calls.
    /// `date` on this machine's clock: `2026-12-07 14:45`.
    static func localTime(_ date: Date) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: .current, calendar: Calendar(identifier: .gregorian)))
    }

    static func line(_ text: String = "") {
        print(text.escapingControlCharacters)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.escapingControlCharacters + "\n").utf8))
    }

    /// Columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        let rows = rows.map { $0.map(\.escapingControlCharacters) }
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func render(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        line(render(header))
        for row in rows { line(render(row)) }
    }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// A secret shown once: alone on its line for a script that captures stdout, under its label
    /// when a person reads it on a terminal.
    static func secret(_ secret: String, label: String) {
        line(isTerminal ? "\(label): \(secret)" : secret)
    }

    /// One rewritten status line on a terminal; nil ends it.
    static func progress(_ text: String?) {
        let line = text.map { "\r\u{1B}[K" + $0.escapingControlCharacters } ?? "\r\u{1B}[K"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
