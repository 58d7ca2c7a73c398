import Foundation

/// What one attempt did, as recorded (`metl webhooks attempts`).
public struct WebhookAttempt: Sendable, Hashable {
    public var eventID: String
    public var endpointID: String
    public var attempt: Int
    public var startedAt: Date
    public var statusCode: Int?
    public var latencyMilliseconds: Int
    public var error: String?
    /// The first bytes of the response body.
    public var responseExcerpt: String?

    public init(eventID: String, endpointID: String, attempt: Int, startedAt: Date, statusCode: Int?, latencyMilliseconds: Int,
                error: String?, responseExcerpt: String?) {
        self.eventID = eventID
        self.endpointID = endpointID
        self.attempt = attempt
        self.startedAt = startedAt
        self.statusCode = statusCode
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
        self.responseExcerpt = responseExcerpt
    }
}
