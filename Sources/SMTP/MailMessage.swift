import Foundation

/// One plain-text message: the envelope's sender and recipients, and the RFC 5322 text the server
/// stores (headers, then the UTF-8 body in quoted-printable, so no line is too long and no byte is
/// lost on an old relay).
public struct MailMessage: Sendable, Hashable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var text: String
    public var date: Date
    /// Unique per message, without the angle brackets: `alert-42.trigger@metl`.
    public var messageID: String

    public init(from: String, to: [String], subject: String, text: String, date: Date, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.date = date
        self.messageID = messageID
    }

    /// A bare address (`ops@example.com`): one `@` between a local part and a domain, nothing that
    /// could end a header or an SMTP command.
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && text.utf8.count <= 254
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) }
    }

    /// The message as the server receives it after DATA: CRLF line ends, before dot-stuffing.
    public var rendered: [UInt8] {
        var lines = [
            "Date: " + Self.rfc5322(date),
            "From: " + from,
            "To: " + to.joined(separator: ", "),
            "Subject: " + Self.encodedHeader(subject),
            "Message-ID: <\(messageID)>",
            // RFC 3834: a machine wrote this; auto-responders stay quiet.
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
        ]
        lines.append(contentsOf: Self.quotedPrintable(text))
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// RFC 5322's date, in UTC: `Mon, 07 Dec 2026 20:14:31 +0000`.
    static func rfc5322(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// A header value as it may be written: line breaks become spaces; anything beyond printable
    /// ASCII, or a line too long, goes in RFC 2047 encoded words of UTF-8 in base64, each short
    /// enough that `Subject: ` and the word fit in 76 characters.
    static func encodedHeader(_ value: String) -> String {
        let flat = value.map { $0.isNewline ? " " : String($0) }.joined()
        if flat.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }), flat.utf8.count <= 900 { return flat }
        var words: [String] = []
        var chunk = ""
        for character in flat {
            if chunk.utf8.count + character.utf8.count > 39 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    /// RFC 2045 quoted-printable: lines of at most 76 characters, soft breaks with `=`, every byte
    /// outside printable ASCII (and `=`, and spaces before a line end) as `=XX`.
    static func quotedPrintable(_ text: String) -> [String] {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [String] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current: [UInt8] = []
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let literal = (byte >= 0x21 && byte <= 0x7E && byte != UInt8(ascii: "=")) || (byte == 0x20 && !last)
                let encoded = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                if current.count + encoded.count > 75 {
                    output.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                    current = []
                }
                current += encoded
            }
            output.append(String(decoding: current, as: UTF8.self))
        }
        return output
    }
}
