import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads `GET /payments/{id}` from metl with the merchant's API key: the authoritative status.
public struct PaymentStatusClient: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var status: Int?
        public var description: String { status.map { "GET /payments answered \($0)" } ?? "GET /payments failed" }
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

    public func payment(id: String) async throws -> PaymentSnapshot {
        var request = HTTPClientRequest(url: "\(baseURL)/payments/\(id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id)")
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Failure(status: Int(response.status.code)) }
        return try JSONDecoder().decode(PaymentSnapshot.self, from: Data(body.readableBytesView))
    }
}
