/// Why an endpoint URL or a delivery target was refused. Descriptions name the host, never secrets.
public struct WebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not an absolute http or https URL with a host (or it carries user info).
        public static let invalidURL = Code(rawValue: "invalid_url")
        /// The host is or resolves to a loopback, private, link-local or otherwise non-public address.
        public static let forbiddenAddress = Code(rawValue: "forbidden_address")
        /// The host name does not resolve.
        public static let unresolvable = Code(rawValue: "unresolvable")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
