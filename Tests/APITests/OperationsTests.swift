import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import Payments
import Synchronization
import Testing

@Suite("health, readiness, metrics, request ids")
struct OperationsTests {
    @Test("healthz and readyz answer without a key; readyz is 503 when the database cannot be read")
    func healthAndReadiness() async throws {
        let broken = Mutex(false)
        let fixture = try await APIFixture(faults: FaultInjector { point in
            point == .databaseCheck && broken.withLock { $0 }
        })
        try await fixture.application.test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).json["status"] as? String == "ok")
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            broken.withLock { $0 = true }
            let down = try await client.execute(uri: "/readyz", method: .get)
            #expect(down.status == .serviceUnavailable)
            #expect(down.json["type"] as? String == "/openapi.json#/x-problem-types/unavailable")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test("metrics count requests by route and status, intake transitions, and payments by state")
    func metrics() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.router) { client in
            _ = try await fixture.post(client)
            _ = try await fixture.post(client, key: nil)
            _ = try await fixture.get(client, "/payments/pay_none")
            #expect(try await client.execute(uri: "/payments/pay_none", method: .delete).status == .methodNotAllowed)
            _ = try await client.execute(uri: "/wp-login.php", method: .get)
            let text = try await client.execute(uri: "/metrics", method: .get).text
            #expect(text.contains(#"metl_http_requests_total{method="POST",route="/payments/ach",status="201"} 1"#))
            #expect(text.contains(#"metl_http_requests_total{method="POST",route="/payments/ach",status="400"} 1"#))
            #expect(text.contains(#"metl_http_requests_total{method="GET",route="/payments/{id}",status="404"} 1"#))
            #expect(text.contains(#"metl_http_requests_total{method="DELETE",route="/payments/{id}",status="405"} 1"#), "the matched route")
            #expect(text.contains(#"metl_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"metl_payment_transitions_total{to="P_VALIDATED"} 1"#))
            #expect(text.contains(#"metl_payments{state="P_VALIDATED"} 1"#))
            #expect(text.contains("metl_http_request_duration_seconds_bucket"))
        }
    }

    @Test("a sane X-Request-Id is echoed and lands in problem bodies; an unsafe one is replaced")
    func requestIDs() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.router) { client in
            let echoed = try await client.execute(uri: "/payments/x", method: .get,
                                                  headers: [HTTPField.Name("X-Request-Id")!: "trace-42.a:b"])
            #expect(echoed.header("X-Request-Id") == "trace-42.a:b")
            #expect(echoed.json["request_id"] as? String == "trace-42.a:b")
            let unsafe = try await client.execute(uri: "/healthz", method: .get,
                                                  headers: [HTTPField.Name("X-Request-Id")!: "bad id\twith spaces"])
            #expect(unsafe.header("X-Request-Id")?.hasPrefix("req_") == true)
        }
    }
}
