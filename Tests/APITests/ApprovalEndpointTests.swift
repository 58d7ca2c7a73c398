import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import Testing
import TestSupport

@Suite("POST /payments/ach over the profile's approval threshold")
struct ApprovalEndpointTests {
    @Test("201 P_CREATED with approval {required, given}; announced as payment.awaiting_approval, then payment.rejected",
          arguments: StoreImplementation.all)
    func heldUntilApproved(_ implementation: StoreImplementation) async throws {
        var configuration = APIConfiguration()
        configuration.approvals = ApprovalPolicy(profiles: [ProfileRouting.single: .init(payments: ApprovalRule(approvers: 1, overCents: 100_000))])
        let fixture = try await APIFixture(implementation, configuration: configuration)
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: "https://hooks.example.com/metl",
                                                       eventTypes: WebhookEventType.allCases, secret: "whsec_test", idempotencyKey: nil)
        let now = Date()
        let root = try await fixture.store.enroll(name: "root", roles: [.admin], email: nil, password: nil, by: nil, at: now)
        let alice = try await fixture.store.enroll(name: "alice", roles: [.approver], email: nil, password: nil, by: root, at: now)
        try await fixture.application.test(.router) { client in
            let held = try await fixture.post(client)
            #expect(held.status == .created)
            #expect(held.json["state"] as? String == "P_CREATED")
            #expect(held.json["approval"] as? [String: Int] == ["required": 1, "given": 0])
            let id = try #require(held.json["id"] as? String)
            let small = try await fixture.post(client, body: APIFixture.paymentBody.replacingOccurrences(of: "125000", with: "100000"))
            #expect(small.json["state"] as? String == "P_VALIDATED", "at the threshold: no approval")
            #expect(small.json.keys.contains("approval") && small.json["approval"] is NSNull)

            _ = try await fixture.store.decide(.rejected, on: id, by: alice, reason: "unknown payee", at: now)
            let shown = try await fixture.get(client, "/payments/\(id)")
            #expect(shown.json["state"] as? String == "P_FAILED")
            #expect((shown.json["failure"] as? [String: Any])?["code"] as? String == "rejected_by_approver")
            let types = try await fixture.store.webhookDeliveries(status: nil, limit: 100).filter { $0.subjectID == id }.map(\.eventType)
            #expect(types == [.awaitingApproval, .rejected])
        }
    }
}
