import API
import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import NIOCore
import Payments
import Testing
import TestSupport

/// Against a live server on 127.0.0.1 with real connections.
@Suite("concurrent requests on a live server")
struct ConcurrencyTests {
    /// What the tests read of an answer.
    struct Answer: Sendable {
        var status: Int
        var id: String?
        var state: String?
        var paymentID: String?
    }

    static func post(_ http: HTTPClient, port: Int, secret: String, key: String, body: String) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/payments/ach")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(secret)")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]) ?? [:]
        return Answer(status: Int(response.status.code), id: json["id"] as? String, state: json["state"] as? String,
                      paymentID: json["payment_id"] as? String)
    }

    static func client() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 200
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    @Test("200 simultaneous POSTs with one key: exactly one payment, every other answer 409, never a 500", arguments: StoreImplementation.all)
    func duplicateKey(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let http = Self.client()
        let key = UUID().uuidString
        try await fixture.application.test(.live) { client in
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await Self.post(http, port: port, secret: fixture.key, key: key, body: APIFixture.paymentBody) }
                }
                return try await group.reduce(into: [Answer]()) { $0.append($1) }
            }
            #expect(statuses.count == 200)
            #expect(statuses.filter { $0.status == 201 }.count == 1)
            #expect(statuses.filter { $0.status == 409 }.count == 199)
            let created = try #require(statuses.first { $0.status == 201 }?.id)
            #expect(statuses.filter { $0.status == 409 }.allSatisfy { $0.paymentID == created })
        }
        try await http.shutdown()
        #expect(try await fixture.store.payments(PaymentQuery()).count == 1)
        #expect(try await fixture.store.history(paymentID: try await fixture.store.payments(PaymentQuery())[0].id).count == 2)
    }

    @Test("200 simultaneous POSTs with distinct keys: 200 payments, all durable, balances exact (group commit)", arguments: StoreImplementation.all)
    func distinctKeys(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation, balance: 125_000 * 150)
        let http = Self.client()
        try await fixture.application.test(.live) { client in
            let port = try #require(client.port)
            let results = try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await Self.post(http, port: port, secret: fixture.key, key: UUID().uuidString, body: APIFixture.paymentBody)
                    }
                }
                return try await group.reduce(into: [Answer]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 201 })
            // Funds for exactly 150 credits: 150 validated, 50 failed, never an overdraft.
            #expect(results.filter { $0.state == "P_VALIDATED" }.count == 150)
            #expect(results.filter { $0.state == "P_FAILED" }.count == 50)
        }
        try await http.shutdown()
        #expect(try await fixture.store.payments(PaymentQuery()).count == 200)
        #expect(try await fixture.store.merchant(fixture.merchant.id).balance == 0)
    }
}
