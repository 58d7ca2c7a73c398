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
    }

    public static let pagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// Where the channel's messages are POSTed.
    public var url: String {
        switch kind {
        case .slack(let url), .pagerDuty(_, let url), .webhook(let url, _): url
        }
    }

    public var type: String {
        switch kind {
        case .slack: "slack"
        case .pagerDuty: "pagerduty"
        case .webhook: "webhook"
        }
    }
}
