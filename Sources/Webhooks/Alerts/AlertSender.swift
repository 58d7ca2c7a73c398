import AsyncHTTPClient
import Foundation
import NIOCore
import Logging
import Payments
import SMTP

/// Sends alert messages to channels: a POST with a deadline and no redirects, where a 2xx answer
/// is delivered; or a mail through the channel's SMTP server, where the server's acceptance is.
/// Anything else, or no answer, is an error naming what came back. Alerts are few: each send has a
/// client of its own, shut down before it returns, so nothing outlives a failed start.
public struct AlertSender: Sendable {
    /// What the channel answered to a delivered message.
    public struct Answer: Sendable, Hashable {
        /// The HTTP status, for channels that take a POST.
        public var httpStatus: Int?
        /// The answer in words: `HTTP 202`, or the mail server's `250 2.0.0 Ok: queued as …`.
        public var text: String
    }

    private let timeout: Duration
    private let logger: Logger

    public init(timeout: Duration = .seconds(10), logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    /// Sends `message` to `channel`; returns the channel's answer when it took the message.
    @discardableResult
    public func send(_ message: AlertMessage, to channel: AlertChannel) async throws(WebhookError) -> Answer {
        switch (message, channel.kind) {
        case (.mail(let mail), .email(let email)):
            let client = SMTPClient(server: email.server, credentials: email.credentials, trustRootsFile: email.trustRootsFile,
                                    timeout: timeout * 3, logger: logger)
            do {
                return Answer(httpStatus: nil, text: try await client.send(mail))
            } catch {
                throw WebhookError(.alertUndelivered, "channel \(channel.name) (email) did not take the message: \(error)")
            }
        case (.post(let body, let headers), _):
            let status = try await post(body, headers: headers, to: channel)
            return Answer(httpStatus: status, text: "HTTP \(status)")
        case (.mail, _):
            throw WebhookError(.alertUndelivered, "channel \(channel.name) (\(channel.type)) takes no mail")
        }
    }

    private func post(_ body: [UInt8], headers: [AlertMessage.HTTPHeader], to channel: AlertChannel) async throws(WebhookError) -> Int {
        var request = HTTPClientRequest(url: channel.address)
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
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
