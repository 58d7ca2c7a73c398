/// One line of `gpg --status-fd` (`[GNUPG:] KEYWORD ARG …`), the documented account of what an
/// operation did.
struct StatusLine: Sendable, Hashable {
    var keyword: String
    var arguments: [String]

    static let prefix = "[GNUPG:] "

    /// The status lines among `text` (what `gpg` wrote to the status descriptor, mixed with its
    /// human diagnostics when they share one).
    static func lines(in text: String) -> [StatusLine] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            let words = line.dropFirst(prefix.count).split(separator: " ").map(String.init)
            guard let keyword = words.first else { return nil }
            return StatusLine(keyword: keyword, arguments: Array(words.dropFirst()))
        }
    }
}

extension Array where Element == StatusLine {
    func first(_ keyword: String) -> StatusLine? { first { $0.keyword == keyword } }
    func contains(_ keyword: String) -> Bool { contains { $0.keyword == keyword } }
}
