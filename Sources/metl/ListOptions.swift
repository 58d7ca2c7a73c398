import ArgumentParser
import Foundation
import Payments

/// What every list command takes: a creation range, the order, a page size and where the page
/// before ended. `--json` prints `{"data": […], "next_cursor": …}`; the table ends with the
/// `--after` that reads on while more follow.
struct ListOptions: ParsableArguments {
    @Option(help: "Only those created at or after: a date (from the start of that day, this machine's time zone) or an RFC 3339 time.")
    var since: String?
    @Option(help: "Only those created before: a date (through the end of that day) or an RFC 3339 time.")
    var until: String?
    @Flag(help: "Newest first (default: oldest first).")
    var newestFirst = false
    @Option(parsing: .unconditional, help: "At most this many.")
    var limit = 1_000
    @Option(help: "Continue after this cursor (the next_cursor printed with the page before) or after this id.")
    var after: String?

    /// The window, for ids starting `prefix`.
    func window(prefix: String) throws -> ListWindow {
        try positive(limit, "--limit")
        var window = ListWindow(newestFirst: newestFirst, limit: limit)
        window.since = try since.map { try Self.time($0, "--since", side: .lower) }
        window.until = try until.map { try Self.time($0, "--until", side: .upper) }
        if let after {
            guard let id = ListCursor.decode(after, prefix: prefix) ?? (after.hasPrefix(prefix + "_") ? after : nil) else {
                throw ValidationError("--after takes the next_cursor a list printed or an id starting \(prefix)_, not \(after)")
            }
            window.afterID = id
        }
        return window
    }

    static func time(_ text: String, _ option: String, side: TimeBound.Side) throws -> Date {
        guard let time = TimeBound.parse(text, side: side, timeZone: .current) else {
            throw ValidationError("\(option) takes \(TimeBound.expected), not \(text)")
        }
        return time
    }

    /// Prints `page`: its documents as JSON, or a table of its items and how to read on.
    static func print<Item, Document: Encodable & Sendable>(_ page: ListPage<Item>, json: Bool, document: (Item) -> Document,
                                                 empty: String, header: [String], row: (Item) -> [String]) throws {
        if json { return try Output.json(page.map(document)) }
        if page.data.isEmpty { return Output.line(empty) }
        Output.table(header, page.data.map(row))
        if let cursor = page.nextCursor { Output.line("more follow: add --after \(cursor)") }
    }
}
