import SMTP

/// Where alerts go: a channel of the operator's own configuration, named in routes. Each address is
/// the operator's, so the private-address policy that guards merchants' endpoints does not apply.
public struct AlertChannel: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A Slack incoming webhook: a Block Kit message.
        case slack(url: String)
        /// PagerDuty's Events API v2: `trigger` and `resolve` with the alert's `dedup_key`.
        case pagerDuty(routingKey: String, url: String)
        /// Any receiver of the operator's: the alert as JSON, signed as merchant webhooks are (Standard Webhooks).
        case webhook(url: String, secret: String)
        /// Mail through the operator's SMTP server, over TLS only.
        case email(Email)
    }

    /// An email channel: the server, the envelope, and how metl logs in.
    public struct Email: Sendable, Hashable {
        public var server: SMTPServer
        public var from: String
        public var to: [String]
        public var credentials: SMTPClient.Credentials?
        /// A PEM file of the certificate authorities to trust instead of the system's.
        public var trustRootsFile: String?

        public init(server: SMTPServer, from: String, to: [String], credentials: SMTPClient.Credentials?, trustRootsFile: String?) {
            self.server = server
            self.from = from
            self.to = to
            self.credentials = credentials
            self.trustRootsFile = trustRootsFile
        }
    }

    public static let pagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// Where the channel's messages go: the URL they are POSTed to, or the SMTP server's address.
    public var address: String {
        switch kind {
        case .slack(let url), .pagerDuty(_, let url), .webhook(let url, _): url
        case .email(let email): email.server.address
        }
    }

    public var type: String {
        switch kind {
        case .slack: "slack"
        case .pagerDuty: "pagerduty"
        case .webhook: "webhook"
        case .email: "email"
        }
    }
}
