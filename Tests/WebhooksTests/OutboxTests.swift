import Foundation
import Payments
import TestSupport
import Synchronization
import Testing
import WebhookSignature

@Suite("webhook outbox: events in the transaction of each change")
struct OutboxTests {
    @Test("each notified transition enqueues one event with the payment snapshot; validation does not", arguments: StoreImplementation.all)
    func transitionsEnqueue(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        _ = try await fixture.endpoint("http://127.0.0.1:9/hook")
        let payment = try await fixture.payment(through: [.submittedToCore, .processing, .failed])
        let listed = try await fixture.store.webhookDeliveries(status: nil, limit: 100)
        #expect(listed.map(\.eventType) == [.submitted, .processing, .failed])
        #expect(listed.map(\.eventID) == [3, 4, 5].map { "evt_\(payment.id.dropFirst(4))_\($0)" })
        let claimed = try await fixture.store.recordAndClaimWebhookDeliveries([], owner: "t", limit: 10, perEndpoint: 10, now: Date(),
                                                                     leaseEnds: Date().addingTimeInterval(60))
        // Only the first: later versions of the payment wait for it.
        #expect(claimed.count == 1)
        let body = try #require(try JSONSerialization.jsonObject(with: claimed[0].event.payload) as? [String: Any])
        #expect(body["type"] as? String == "payment.submitted")
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["state"] as? String == "P_SUBMITTED_TO_CORE")
        #expect(data["previous_state"] as? String == "P_VALIDATED")
        #expect(data["version"] as? Int == 3)
        #expect(data["amount"] as? Int == 125_000)
        #expect(data["failure"] is NSNull)
        #expect((body["timestamp"] as? String)?.hasSuffix("Z") == true)
        #expect(!String(decoding: claimed[0].event.payload, as: UTF8.self).contains("12345678"))
    }

    @Test("a funds-check failure at intake is a payment.failed event with its reason", arguments: StoreImplementation.all)
    func intakeFailure(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        _ = try await fixture.endpoint("http://127.0.0.1:9/hook")
        let poor = try await fixture.store.addMerchant(name: "poor", companyID: "1234567890", companyName: "POOR")
        _ = try await fixture.store.addWebhookEndpoint(merchantID: poor.id, url: "http://127.0.0.1:9/p", eventTypes: [],
                                                       secret: "whsec_" + Data(repeating: 1, count: 32).base64EncodedString(),
                                                       idempotencyKey: nil)
        _ = try await fixture.store.intake([try Requests.intake(poor)])
        let claimed = try await fixture.store.recordAndClaimWebhookDeliveries([], owner: "t", limit: 10, perEndpoint: 10, now: Date(),
                                                                     leaseEnds: Date().addingTimeInterval(60))
        #expect(claimed.count == 1)
        let data = try #require((try JSONSerialization.jsonObject(with: claimed[0].event.payload) as? [String: Any])?["data"] as? [String: Any])
        #expect(data["state"] as? String == "P_FAILED")
        #expect((data["failure"] as? [String: Any])?["code"] as? String == "insufficient_funds")
        #expect(claimed[0].endpoint.merchantID == poor.id)
    }

    @Test("a claim reaches every endpoint's queue however deep another's is, and fills no more than each one's free slots", arguments: StoreImplementation.all)
    func claimsReachEveryEndpoint(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        var endpoints: [String] = []
        for name in ["busy", "quiet"] {
            // No funds: every intake fails its funds check, one payment.failed event each.
            let merchant = try await fixture.store.addMerchant(name: name, companyID: "1234567890", companyName: "M")
            endpoints.append(try await fixture.store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/\(name)", eventTypes: [],
                                                                        secret: StandardWebhooks.makeSecret(), idempotencyKey: nil).endpoint.id)
            _ = try await fixture.store.intake(try (0..<(name == "busy" ? 200 : 1)).map { _ in try Requests.intake(merchant) })
        }
        func claim() async throws -> [String] {
            try await fixture.store.recordAndClaimWebhookDeliveries([], owner: "t", limit: 10, perEndpoint: 5, now: Date(),
                                                                    leaseEnds: Date().addingTimeInterval(60)).map(\.endpoint.id)
        }
        let first = try await claim()
        #expect(first.filter { $0 == endpoints[0] }.count == 5)
        #expect(first.filter { $0 == endpoints[1] } == [endpoints[1]])
        // Both endpoints' slots are taken (busy) or their queue is empty (quiet) until the leases end.
        #expect(try await claim().isEmpty)
    }

    @Test("event type filters and disabled endpoints get no deliveries", arguments: StoreImplementation.all)
    func filters(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let (completedOnly, _) = try await fixture.endpoint("http://127.0.0.1:9/a", types: [.completed])
        let (disabled, _) = try await fixture.endpoint("http://127.0.0.1:9/b")
        _ = try await fixture.store.setWebhookEndpoint(id: disabled.id, merchantID: nil, enabled: false, reason: "test")
        try await fixture.payment(through: [.submittedToCore, .processing, .completed])
        let listed = try await fixture.store.webhookDeliveries(status: nil, limit: 100)
        #expect(listed.map(\.eventType) == [.completed])
        #expect(listed.map(\.endpointID) == [completedOnly.id])
    }

    @Test("a change that rolls back leaves no event (fault between state update and history)")
    func rollbackLeavesNoEvent() async throws {
        let database = try TemporaryDatabase()
        let armed = Mutex(false)
        let store = try database.store(faults: FaultInjector { $0 == .afterStateUpdate && armed.withLock { $0 } })
        let merchant = try await store.fundedMerchant(1_000_000)
        _ = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                               secret: "whsec_" + Data(repeating: 1, count: 32).base64EncodedString(), idempotencyKey: nil)
        let payment = try await store.intake([try Requests.intake(merchant)])[0].payment
        armed.withLock { $0 = true }
        await #expect(throws: StoreError.self) {
            try await store.transition(paymentID: payment.id, steps: [TransitionStep(to: .submittedToCore, actor: .operator,
                                                                                     reasonCode: "t", reasonText: "t")])
        }
        #expect(try await store.webhookDeliveries(status: nil, limit: 10).isEmpty)
        armed.withLock { $0 = false }
        _ = try await store.transition(paymentID: payment.id, steps: [TransitionStep(to: .submittedToCore, actor: .operator,
                                                                                     reasonCode: "t", reasonText: "t")])
        #expect(try await store.webhookDeliveries(status: nil, limit: 10).count == 1)
    }

    @Test("an applied notification of change is a payment.corrected event; a refused one is not", arguments: StoreImplementation.all)
    func correction(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        _ = try await fixture.endpoint("http://127.0.0.1:9/hook")
        let payment = try await fixture.payment(through: [.submittedToCore])
        let file = InboundFile(id: "inb_test", sha256: String(repeating: "a", count: 64), kind: .nacha, source: "test", name: "noc.ach",
                               size: 1, status: .processed, archivePath: "/dev/null", receivedAt: Date())
        let endpoints = try await fixture.store.webhookEndpoints(merchantID: payment.merchantID)
        var planner = LedgerPlanner(endpoints: [payment.merchantID: endpoints])
        try planner.apply(BankEvent(paymentID: payment.id, kind: .corrected(code: "C01", text: "notification of change: incorrect account number"),
                                    source: SourceReference.inboundFile(id: "test", line: 3)), to: payment)
        try planner.apply(BankEvent(paymentID: payment.id, kind: .noted(code: "C61", text: "refused notification of change: misrouted"),
                                    source: SourceReference.inboundFile(id: "test", line: 5)), to: payment)
        try await fixture.store.applyInbound(file, plan: planner.plan, after: nil)
        let types = try await fixture.store.webhookDeliveries(status: nil, limit: 10).map(\.eventType)
        #expect(types == [.submitted, .corrected])
    }
}
