import AsyncHTTPClient
import Foundation
import NIOCore
import Payments

/// Sends each signed audit checkpoint to the operator's own receiver (`audit.checkpoint_url`), so
/// a copy of the log's head lives on another machine. The checkpoint carries its own Ed25519
/// signature; the receiver is the operator's configuration, so the private-address policy that
/// guards merchants' endpoints does not apply.
public struct CheckpointPublisher: Sendable {
    public let url: String
    public let timeout: Duration

    public init(url: String, timeout: Duration = .seconds(10)) {
        self.url = url
        self.timeout = timeout
    }

    /// POSTs `checkpoint` as JSON; a 2xx answer is received, anything else an error naming the status.
    public func publish(_ checkpoint: AuditCheckpoint) async throws(WebhookError) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(checkpoint)))
            let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            try? await client.shutdown()
            guard (200..<300).contains(response.status.code) else {
                throw WebhookError(.checkpointUndelivered, "the checkpoint receiver \(url) answered \(response.status.code)")
            }
        } catch let error as WebhookError {
            try? await client.shutdown()
            throw error
        } catch {
            try? await client.shutdown()
            throw WebhookError(.checkpointUndelivered, "cannot send the checkpoint to \(url): \(error)")
        }
    }
}

extension WebhookError.Code {
    /// The checkpoint receiver was unreachable or did not answer 2xx.
    public static let checkpointUndelivered = WebhookError.Code(rawValue: "checkpoint_undelivered")
}
