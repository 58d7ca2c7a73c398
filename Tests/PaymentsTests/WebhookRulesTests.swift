import Foundation
import Payments
import Testing

/// The webhook rules both stores follow, tested once here: which deliveries a claim takes, when an
/// endpoint request is a replay, and what an operator's disable records.
@Suite struct WebhookRulesTests {
    @Test func aClaimTakesTheOldestDueAcrossEndpointsUpToItsLimit() {
        let offered = [DeliveryClaim.Candidate(id: 7, due: 300), .init(id: 2, due: 100), .init(id: 9, due: 100), .init(id: 4, due: 200)]
        #expect(DeliveryClaim.chosen(offered, limit: 3) == [2, 9, 4])
        #expect(DeliveryClaim.chosen(offered, limit: 10) == [2, 9, 4, 7])
        #expect(DeliveryClaim.chosen([], limit: 5).isEmpty)
        #expect(DeliveryClaim.freeSlots(perEndpoint: 4, leased: 1) == 3)
        #expect(DeliveryClaim.freeSlots(perEndpoint: 4, leased: 6) == 0, "more leased than allowed (a lowered limit) leaves no slot, never a negative one")
    }

    @Test func theSameEndpointRequestUnderItsKeyIsAReplayAndAnotherIsRefused() throws {
        let endpoint = WebhookEndpoint.new(merchantID: "mer_1", url: "https://example.com/hook", eventTypes: [.completed, .failed],
                                           allowsPrivateAddresses: false, at: Date())
        #expect(endpoint.enabled && endpoint.id.hasPrefix("whe_"))
        let again = try endpoint.replayed(url: "https://example.com/hook", eventTypes: [.failed, .completed], idempotencyKey: "k1")
        #expect(again == endpoint, "the same types in another order are the same request")
        #expect(throws: PaymentError.self) {
            try endpoint.replayed(url: "https://example.com/other", eventTypes: [.completed, .failed], idempotencyKey: "k1")
        }
        #expect(throws: PaymentError.self) { try endpoint.replayed(url: "https://example.com/hook", eventTypes: [], idempotencyKey: "k1") }
        #expect(WebhookEndpoint.disabledReason(enabling: true, given: "ignored") == nil)
        #expect(WebhookEndpoint.disabledReason(enabling: false, given: nil) == WebhookEndpoint.operatorDisableReason)
        #expect(WebhookEndpoint.disabledReason(enabling: false, given: "rotating keys") == "rotating keys")
        #expect(WebhookEndpoint.storedEventTypes([]) == "*" && WebhookEndpoint.storedEventTypes([.completed, .failed]) == "payment.completed,payment.failed")
    }
}
