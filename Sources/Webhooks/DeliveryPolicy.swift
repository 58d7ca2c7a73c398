import Foundation
import Payments

/// What an attempt's outcome means for its delivery: delivered, retry when, dead letter, or disable
/// the endpoint. Pure, so every rule is tested without a network.
struct DeliveryPolicy: Sendable {
    let settings: WebhookSettings

    /// Retry-After is honoured up to a day; a longer one waits a day.
    static let longestRetryAfter: Duration = .seconds(86_400)

    func next(statusCode: Int?, retryAfter: Duration?, attempt: Int, endpoint: WebhookEndpoint, now: Date) -> DeliveryResult.Next {
        if let statusCode, (200..<300).contains(statusCode) { return .delivered }
        if statusCode == 410 {
            return .pause(at: now, disableReason: "the endpoint answered 410 Gone")
        }
        let failingSince = endpoint.failingSince ?? now
        if now.timeIntervalSince(failingSince) >= settings.disableAfter.seconds {
            return .pause(at: now, disableReason: "failing without a success since \(Timestamp.format(failingSince))")
        }
        guard let scheduled = settings.schedule.delay(after: attempt) else { return .failed }
        var wait = scheduled
        if let retryAfter, statusCode == 429 || statusCode == 503 {
            wait = min(retryAfter, Self.longestRetryAfter)
        }
        return .retry(at: now.addingTimeInterval(wait.seconds))
    }
}
