/// What went wrong sending mail. `code` is stable; `reply` is the server's answer when it gave one.
/// Messages never contain the password.
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The address is not `smtp://host[:port]` or `smtps://host[:port]`.
        public static let address = Code(rawValue: "address")
        /// The TCP connection could not be made (refused, unreachable, name not resolved).
        public static let connect = Code(rawValue: "connect")
        /// No answer within the deadline.
        public static let timeout = Code(rawValue: "timeout")
        /// The server offers no STARTTLS, or the TLS handshake or certificate check failed.
        public static let tls = Code(rawValue: "tls")
        /// The server refused the user name or password, or offers no way to log in.
        public static let authentication = Code(rawValue: "authentication")
        /// The server refused the sender, every recipient, or the message.
        public static let refused = Code(rawValue: "refused")
        /// The server closed the connection or answered something that is not SMTP.
        public static let protocolError = Code(rawValue: "protocol")
    }

    public var code: Code
    public var message: String
    /// The server's answer that ended the conversation, as it sent it (`535 5.7.8 …`).
    public var reply: String?

    public init(_ code: Code, _ message: String, reply: String? = nil) {
        self.code = code
        self.message = message
        self.reply = reply
    }

    public var description: String {
        "\(code): \(message)" + (reply.map { " (server: \($0))" } ?? "")
    }
}
