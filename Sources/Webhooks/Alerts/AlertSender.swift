import AsyncHTTPClient
import Foundation
import NIOCore
import Payments

/// Posts alert messages to channels: one HTTP client, a deadline per attempt, no redirects. A 2xx
/// answer is delivered; anything else, or no answer, an error naming what came back.
public final class AlertSender: Sendable {
    private let client: HTTPClient
    private let timeout: Duration

    public init(timeout: Duration = .seconds(10)) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
    }

    /// Sends `message` to `channel`; returns the HTTP status of a 2xx answer.
    @discardableResult
    public func send(_ message: AlertMessage, to channel: AlertChannel) async throws(WebhookError) -> Int {
        var request = HTTPClientRequest(url: channel.url)
        request.method = .POST
        for header in message.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: message.body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw WebhookError(.alertUndelivered, "channel \(channel.name) (\(channel.type)) did not answer: \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            throw WebhookError(.alertUndelivered, "channel \(channel.name) (\(channel.type)) answered \(response.status.code)")
        }
        return Int(response.status.code)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}

extension WebhookError.Code {
    /// An alert channel was unreachable or did not answer 2xx.
    public static let alertUndelivered = WebhookError.Code(rawValue: "alert_undelivered")
}
