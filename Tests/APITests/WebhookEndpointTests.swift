import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import Testing
import TestSupport

@Suite("/webhook-endpoints")
struct WebhookEndpointTests {
    static func allowingLoopback() -> APIConfiguration {
        var configuration = APIConfiguration()
        configuration.webhookAddresses.allowPrivate = true
        return configuration
    }

    func post(_ fixture: APIFixture, _ client: some TestClientProtocol, _ uri: String, body: String = "{}",
              key: String = UUID().uuidString) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: fixture.headers(key: key), body: ByteBuffer(string: body))
    }

    @Test("create shows the secret once, replays on the same key, lists without secrets; disable, enable, rotate", arguments: StoreImplementation.all)
    func lifecycle(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation, configuration: Self.allowingLoopback())
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString
            let body = #"{"url": "http://127.0.0.1:9/hook", "events": ["payment.completed", "payment.failed"]}"#
            let created = try await post(fixture, client, "/webhook-endpoints", body: body, key: key)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let secret = try #require(created.json["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(created.json["events"] as? [String] == ["payment.completed", "payment.failed"])
            let replay = try await post(fixture, client, "/webhook-endpoints", body: body, key: key)
            #expect(replay.status == .created && replay.header("Idempotent-Replayed") == "true")
            #expect(replay.json["id"] as? String == id && replay.json["secret"] as? String == secret)

            let listed = try await fixture.get(client, "/webhook-endpoints")
            let items = try #require(listed.json["data"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["secret"] == nil)
            #expect(!listed.text.contains(secret))

            #expect(try await post(fixture, client, "/webhook-endpoints/\(id)/disable").json["enabled"] as? Bool == false)
            #expect(try await post(fixture, client, "/webhook-endpoints/\(id)/enable").json["enabled"] as? Bool == true)
            let rotationKey = UUID().uuidString
            let rotated = try await post(fixture, client, "/webhook-endpoints/\(id)/rotate-secret", key: rotationKey)
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret != secret)
            let again = try await post(fixture, client, "/webhook-endpoints/\(id)/rotate-secret", key: rotationKey)
            #expect(again.json["secret"] as? String == newSecret, "the same key rotates once")

            let other = try await fixture.store.fundedMerchant(1, name: "globex")
            let otherKey = try await fixture.store.createAPIKey(merchantID: other.id).secret
            let foreign = try await client.execute(uri: "/webhook-endpoints/\(id)/disable", method: .post,
                                                   headers: fixture.headers(bearer: otherKey))
            #expect(foreign.status == .notFound)
        }
    }

    @Test("one Idempotency-Key on two routes is two requests, as the README says: each route keeps its own keys", arguments: StoreImplementation.all)
    func keysAreScopedToTheirRoute(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation, configuration: Self.allowingLoopback())
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString
            let payment = try await fixture.post(client, key: key)
            #expect(payment.status == .created)
            let endpoint = try await post(fixture, client, "/webhook-endpoints", body: #"{"url": "http://127.0.0.1:9/hook"}"#, key: key)
            #expect(endpoint.status == .created && endpoint.header("Idempotent-Replayed") == nil)
            #expect((endpoint.json["id"] as? String)?.hasPrefix("whe_") == true)
            let rotated = try await post(fixture, client, "/webhook-endpoints/\(endpoint.json["id"] as? String ?? "")/rotate-secret", key: key)
            #expect(rotated.status == .ok && rotated.json["secret"] as? String != endpoint.json["secret"] as? String)
            // The payment route still knows the key as its own payment's (not final yet: 409 naming it).
            let paymentAgain = try await fixture.post(client, key: key)
            #expect(paymentAgain.status == .conflict && paymentAgain.json["payment_id"] as? String == payment.json["id"] as? String)
            #expect(try await fixture.get(client, "/webhook-endpoints").json["data"].map { ($0 as? [Any])?.count } == 1)
        }
    }

    @Test("private targets are refused by default; bad event types and bodies are named", arguments: StoreImplementation.all)
    func validation(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            for url in ["http://127.0.0.1:9/hook", "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/",
                        "http://[::ffff:169.254.169.254]/"] {
                let loopback = try await post(fixture, client, "/webhook-endpoints", body: #"{"url": "\#(url)"}"#)
                #expect(loopback.status == .unprocessableContent, "\(url)")
                #expect((loopback.json["errors"] as? [[String: Any]])?.first?["code"] as? String == "forbidden_address", "\(url)")
                #expect(loopback.json["title"] as? String == "The request failed validation")
            }
            for url in [#"http://8.8.8.8:0/"#, #"http://8.8.8.8:99999/"#, #"http://8.8.8.8/a\r\nb"#, #"http://8.8.8.8/\u0000"#] {
                let refused = try await post(fixture, client, "/webhook-endpoints", body: #"{"url": "\#(url)"}"#)
                #expect((refused.json["errors"] as? [[String: Any]])?.first?["code"] as? String == "invalid_url", "\(url)")
            }
            let badType = try await post(fixture, client, "/webhook-endpoints",
                                         body: #"{"url": "ftp://example.com/x", "events": ["payment.exploded"]}"#)
            let fields = Set((badType.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["url", "events[0]"])
            // A shape problem is 400, and it hides none of the others beside it.
            let unknown = try await post(fixture, client, "/webhook-endpoints", body: #"{"url": "ftp://example.com/x", "x": 1, "events": ["nope"]}"#)
            #expect(unknown.status == .badRequest && unknown.json["detail"] as? String == "the endpoint is invalid")
            #expect((unknown.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["x", "events[0]", "url"])
            let empty = try await post(fixture, client, "/webhook-endpoints", body: "{}")
            #expect((empty.json["errors"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["required"], "url once, as missing")
            #expect(try await post(fixture, client, "/webhook-endpoints", body: "{").json["type"] as? String
                    == "/openapi.json#/x-problem-types/malformed_json")
        }
    }
}
