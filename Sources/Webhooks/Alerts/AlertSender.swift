import AsyncHTTPClient
import Foundation
import NIOCore
import Payments

/// Posts alert messages to channels: a deadline per attempt, no redirects. A 2xx answer is
/// delivered; anything else, or no answer, an error naming what came back. Alerts are few: each
/// send has a client of its own, shut down before it returns, so nothing outlives a failed start.
public struct AlertSender: Sendable {
    private let timeout: Duration

    public init(timeout: Duration = .seconds(10)) {
        self.timeout = timeout
    }

    /// Sends `message` to `channel`; returns the HTTP status of a 2xx answer.
    @discardableResult
    public func send(_ message: AlertMessage, to channel: AlertChannel) async throws(WebhookError) -> Int {
        var request = HTTPClientRequest(url: channel.url)
        request.method = .POST
        for header in message.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: message.body))
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            try? await client.shutdown()
            throw WebhookError(.alertUndelivered, "channel \(channel.name) (\(channel.type)) did not answer: \(error)")
        }
        try? await client.shutdown()
        guard (200..<300).contains(response.status.code) else {
            throw WebhookError(.alertUndelivered, "channel \(channel.name) (\(channel.type)) answered \(response.status.code)")
        }
        return Int(response.status.code)
    }
}

extension WebhookError.Code {
    /// An alert channel was unreachable or did not answer 2xx.
    public static let alertUndelivered = WebhookError.Code(rawValue: "alert_undelivered")
}
