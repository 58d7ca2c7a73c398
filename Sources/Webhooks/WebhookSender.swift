import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Payments
import WebhookSignature

/// One HTTP attempt: the signed POST to the address the policy vetted, and what came back. Never
/// throws; failures are outcomes.
struct WebhookSender: Sendable {
    let clients: PinnedClients
    let settings: WebhookSettings

    struct Outcome: Sendable {
        var statusCode: Int?
        var retryAfter: Duration?
        var error: String?
        var excerpt: String?
        var latencyMilliseconds: Int
    }

    /// The request exactly as sent, for tests and docs: Standard Webhooks headers plus our aliases.
    static func headers(for delivery: WebhookDelivery, body: Data, timestamp: Int) -> [(String, String)] {
        let signature = StandardWebhooks.signatureHeader(id: delivery.event.id, timestamp: timestamp, body: body,
                                                         secrets: delivery.secrets)
        return [
            ("Content-Type", "application/json"),
            ("User-Agent", "metl-webhooks/1"),
            ("webhook-id", delivery.event.id),
            ("Webhook-Event-ID", delivery.event.id),
            ("Webhook-Timestamp", String(timestamp)),
            ("Webhook-Signature", signature),
            ("Webhook-Attempt", String(delivery.attempt)),
        ]
    }

    /// POSTs `delivery` to `url`, at an address `policy` allows.
    func send(_ delivery: WebhookDelivery, url: URL, policy: AddressPolicy) async -> Outcome {
        let started = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - started).seconds * 1000) }
        let host = url.host ?? ""
        let client: HTTPClient
        do {
            client = await clients.client(host: host, address: try await policy.vet(host: host))
        } catch {
            return Outcome(error: error.message, latencyMilliseconds: elapsed())
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        let body = delivery.event.payload
        for (name, value) in Self.headers(for: delivery, body: body, timestamp: Int(Date().timeIntervalSince1970)) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(settings.requestTimeout.seconds * 1e9)))
            var excerpt = [UInt8]()
            // The first bytes are enough to debug a receiver; the rest is not read.
            for try await chunk in response.body {
                excerpt += chunk.readableBytesView.prefix(256 - excerpt.count)
                if excerpt.count >= 256 { break }
            }
            return Outcome(statusCode: Int(response.status.code),
                           retryAfter: response.headers.first(name: "Retry-After").flatMap(Self.retryAfter),
                           excerpt: excerpt.isEmpty ? nil : String(decoding: excerpt, as: UTF8.self),
                           latencyMilliseconds: elapsed())
        } catch {
            return Outcome(error: Self.describe(error), latencyMilliseconds: elapsed())
        }
    }

    /// Seconds (`120`) or an HTTP date.
    static func retryAfter(_ value: String) -> Duration? {
        if let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSinceNow.rounded(.up))))
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout:
            return "timed out"
        case let error as HTTPClientError where error == .connectTimeout:
            return "connect timed out"
        case is ChannelError:
            return "connection failed"
        default:
            // NIO's connection errors name the address and the cause (refused, unreachable); no secrets.
            let text = String(describing: error)
            return text.count > 200 ? String(text.prefix(200)) : text
        }
    }
}
