import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads an event's subject from metl with the merchant's API key: the authoritative status
/// (`GET /payments/{id}`, `/positive-pay/checks/{id}` or `/positive-pay/exceptions/{id}`).
public struct StatusClient: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The endpoint, as `/payments/{id}`.
        public var path: String
        public var status: Int
        public var description: String { "GET \(path) answered \(status)" }
    }

    let baseURL: String
    let apiKey: String
    let client: HTTPClient

    /// `baseURL` like `https://metl.example.com`; the client is the caller's to shut down.
    public init(baseURL: String, apiKey: String, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.client = client
    }

    /// The current state of what `event` is about.
    public func current(of event: ReceivedEvent) async throws -> Snapshot {
        try await snapshot(event.subject, id: event.data.id)
    }

    public func snapshot(_ subject: ReceivedEvent.Subject, id: String) async throws -> Snapshot {
        let collection = switch subject {
        case .payment: "/payments"
        case .check: "/positive-pay/checks"
        case .exception: "/positive-pay/exceptions"
        }
        let path = "\(collection)/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id)"
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Failure(path: collection + "/{id}", status: Int(response.status.code)) }
        return try JSONDecoder().decode(Snapshot.self, from: Data(body.readableBytesView))
    }
}
