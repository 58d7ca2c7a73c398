import Foundation
import Payments
import SMTP
import WebhookSignature

/// An alert's trigger or resolution as a channel takes it: one POST, or one mail.
public enum AlertMessage: Sendable {
    /// The JSON body and headers of one POST (Slack, PagerDuty, the signed webhook).
    case post(body: [UInt8], headers: [HTTPHeader])
    case mail(MailMessage)

    public struct HTTPHeader: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// The message `channel` takes for `alert`'s `event`, signed at `now` where the channel signs;
    /// `id` is the notification's, unique per message (the webhook's id, the mail's Message-ID).
    public static func make(_ event: AlertNotification.Event, _ alert: Alert, for channel: AlertChannel, id: String, at now: Date) -> AlertMessage {
        let object: [String: Any]
        switch channel.kind {
        case .slack: object = slack(event, alert)
        case .pagerDuty(let routingKey, _): object = pagerDuty(event, alert, routingKey: routingKey)
        case .webhook: object = ["type": event == .trigger ? "alert.triggered" : "alert.resolved", "alert": document(alert)]
        case .email(let email):
            return .mail(MailMessage(from: email.from, to: email.to, subject: title(event, alert), text: mailText(event, alert),
                                     date: now, messageID: "\(id)@metl"))
        }
        let body = Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
        var headers = [HTTPHeader(name: "Content-Type", value: "application/json")]
        if case .webhook(_, let secret) = channel.kind {
            let timestamp = Int(now.timeIntervalSince1970)
            headers += [HTTPHeader(name: "webhook-id", value: id), HTTPHeader(name: "webhook-timestamp", value: String(timestamp)),
                        HTTPHeader(name: "webhook-signature",
                                   value: StandardWebhooks.signatureHeader(id: id, timestamp: timestamp, body: body, secrets: [secret]))]
        }
        return .post(body: body, headers: headers)
    }

    /// A mail's text: the summary, then the alert's facts one per line, and how to act on it.
    static func mailText(_ event: AlertNotification.Event, _ alert: Alert) -> String {
        var lines = [alert.summary, "", "Code:      \(alert.code.rawValue)", "Severity:  \(alert.severity.rawValue)", "Key:       \(alert.key)",
                     "Raised:    \(Timestamp.format(alert.raisedAt))"]
        if alert.count > 1 { lines.append("Seen:      \(alert.count) times") }
        if let resolved = alert.resolvedAt { lines.append("Resolved:  \(Timestamp.format(resolved))") }
        lines += ["Alert:     \(alert.id)", ""]
        lines.append(event == .trigger ? "metl alerts show \(alert.id) lists what was sent about it; metl alerts ack \(alert.id) says someone is on it."
                                       : "The condition cleared; nothing is left to do for this alert.")
        return lines.joined(separator: "\n")
    }

    static func title(_ event: AlertNotification.Event, _ alert: Alert) -> String {
        event == .trigger ? "[\(alert.severity.rawValue.uppercased())] \(alert.code.rawValue): \(alert.key)"
            : "[RESOLVED] \(alert.code.rawValue): \(alert.key)"
    }

    /// A Block Kit message: a header, the summary, and a line of context; `text` for notifications.
    static func slack(_ event: AlertNotification.Event, _ alert: Alert) -> [String: Any] {
        let context = "metl · \(alert.id) · raised \(Timestamp.format(alert.raisedAt))"
            + (alert.count > 1 ? " · seen \(alert.count) times" : "") + (alert.resolvedAt.map { " · resolved \(Timestamp.format($0))" } ?? "")
        return [
            "text": title(event, alert) + " — " + alert.summary,
            "blocks": [
                ["type": "header", "text": ["type": "plain_text", "text": String(title(event, alert).prefix(150))]],
                ["type": "section", "text": ["type": "mrkdwn", "text": String(alert.summary.prefix(2_900))]],
                ["type": "context", "elements": [["type": "mrkdwn", "text": context]]],
            ],
        ]
    }

    /// An Events API v2 event: the trigger with its payload, the resolve with the same `dedup_key`.
    static func pagerDuty(_ event: AlertNotification.Event, _ alert: Alert, routingKey: String) -> [String: Any] {
        var object: [String: Any] = ["routing_key": routingKey, "event_action": event.rawValue, "dedup_key": alert.dedupKey]
        if event == .trigger {
            object["payload"] = [
                "summary": String((alert.code.rawValue + ": " + alert.summary).prefix(1_024)),
                "source": "metl", "severity": alert.severity.rawValue, "component": alert.code.rawValue, "group": alert.key,
                "class": alert.code.rawValue, "timestamp": Timestamp.format(alert.raisedAt),
                "custom_details": ["alert_id": alert.id, "count": alert.count],
            ] as [String: Any]
        }
        return object
    }

    static func document(_ alert: Alert) -> [String: Any] {
        var object: [String: Any] = ["id": alert.id, "code": alert.code.rawValue, "severity": alert.severity.rawValue, "key": alert.key,
                                     "summary": alert.summary, "status": alert.status.rawValue, "count": alert.count,
                                     "raised_at": Timestamp.format(alert.raisedAt), "dedup_key": alert.dedupKey]
        if let resolved = alert.resolvedAt { object["resolved_at"] = Timestamp.format(resolved) }
        return object
    }
}
