import Foundation
import Synchronization
import Testing
import TestSupport
import Payments

/// The store contract for staged imports (`PaymentImportStore`): nothing staged is seen or counted
/// until it is published, publishing is all at once, and a discard leaves nothing behind.
@Suite struct ImportContractTests {
    @Test(arguments: StoreImplementation.all)
    func stagedPaymentsAreUnseenUntilPublishedThenAppearAtOnce(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        _ = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                               secret: "whsec_test", idempotencyKey: nil)
        let pending = try await store.beginImport(merchantID: merchant.id, source: "a.csv", holder: "host:1")
        let key = UUID().uuidString
        // One validated, one failed for want of funds: the failure is announced, once published.
        let first = try await store.stage([try Requests.intake(merchant, key: key),
                                           try Requests.intake(merchant, Requests.credit(amount: 2_000_000))], into: pending.id)
        // The same key in a later chunk of the same import is the row already staged.
        let again = try await store.stage([try Requests.intake(merchant, key: key)], into: pending.id)
        #expect(first.map(\.created) == [true, true])
        #expect(again[0].created == false && again[0].payment.id == first[0].payment.id)

        #expect(try await store.pendingImports().map(\.id) == [pending.id])
        await #expect { try await store.payment(id: first[0].payment.id) } throws: { ($0 as? PaymentError)?.code == .notFound }
        #expect(try await store.payments(PaymentQuery()).isEmpty)
        #expect(try await store.countsByState().isEmpty)
        #expect(try await store.unboundValidatedPayments(limit: 10).isEmpty)
        #expect(try await store.merchant(merchant.id).balance == 1_000_000)
        let now = Date()
        #expect(try await store.recordAndClaimWebhookDeliveries([], owner: "w", limit: 10, perEndpoint: 10, now: now,
                                                                 leaseEnds: now.addingTimeInterval(60)).isEmpty)
        #expect(try await store.nextWebhookDue() == nil)
        // Another writer with a key the import holds waits for it rather than creating a second payment.
        await #expect { try await store.intake([try Requests.intake(merchant, key: key)]) }
            throws: { ($0 as? StoreError)?.code == .conflict }

        try await store.publishImport(pending.id)
        #expect(try await store.pendingImports().isEmpty)
        #expect(Set(try await store.payments(PaymentQuery()).map(\.id)) == Set(first.map(\.payment.id)))
        #expect(try await store.countsByState() == [.validated: 1, .failed: 1])
        #expect(try await store.unboundValidatedPayments(limit: 10).map(\.payment.id) == [first[0].payment.id])
        #expect(try await store.merchant(merchant.id).balance == 1_000_000 - 125_000)
        #expect(try await store.history(paymentID: first[0].payment.id).map(\.toState) == [.created, .validated])
        let claimed = try await store.recordAndClaimWebhookDeliveries([], owner: "w", limit: 10, perEndpoint: 10, now: Date(),
                                                                      leaseEnds: Date().addingTimeInterval(60))
        #expect(claimed.map(\.event.type) == [.failed], "the failure is due once published")
        let replay = try await store.intake([try Requests.intake(merchant, key: key)])[0]
        #expect(!replay.created && replay.payment.id == first[0].payment.id)
    }

    @Test(arguments: StoreImplementation.all)
    func aDiscardedImportLeavesNothingAndFreesItsKeys(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        _ = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                               secret: "whsec_test", idempotencyKey: nil)
        let published = try await store.intake([try Requests.intake(merchant, Requests.credit(amount: 2_000_000))])[0].payment
        let pending = try await store.beginImport(merchantID: merchant.id, source: "a.csv", holder: "host:1")
        // More than one discard chunk; the funds run out after 1,000, so the rest fail and are announced.
        let keys = (0..<2_500).map { _ in UUID().uuidString }
        let staged = try await store.stage(try keys.map { try Requests.intake(merchant, key: $0, Requests.credit(amount: 1_000)) },
                                           into: pending.id)
        #expect(staged.filter { $0.payment.state == .failed }.count == 1_500)
        try await store.discardImport(pending.id)

        #expect(try await store.pendingImports().isEmpty)
        #expect(try await store.payments(PaymentQuery(limit: 10_000)).map(\.id) == [published.id])
        #expect(try await store.merchant(merchant.id).balance == 1_000_000)
        #expect(try await store.webhookDeliveryCount(status: .pending) == 1, "only the published payment's event")
        await #expect { try await store.stage([try Requests.intake(merchant)], into: pending.id) }
            throws: { ($0 as? PaymentError)?.code == .notFound }
        // Nothing is staged under an import that is gone, however it is planned.
        await #expect { try await store.takeIn([try Requests.intake(merchant)], stagedIn: pending.id) { _, _ in (LedgerPlan(), 0) } }
            throws: { ($0 as? PaymentError)?.code == .notFound }
        // The keys are free again: the same rows taken in now create payments.
        let retaken = try await store.intake(try keys.prefix(3).map { try Requests.intake(merchant, key: $0, Requests.credit(amount: 1_000)) })
        #expect(retaken.allSatisfy { $0.created })
        // Published history stays append-only.
        #expect(try await store.history(paymentID: published.id).count == 2)
    }

    @Test(arguments: StoreImplementation.all)
    func publishingIsRefusedWholeWhenTheBalanceWasSpentMeanwhile(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000)
        let pending = try await store.beginImport(merchantID: merchant.id, source: "a.csv", holder: "host:1")
        let staged = try await store.stage([try Requests.intake(merchant, Requests.credit(amount: 600)),
                                            try Requests.intake(merchant, Requests.credit(amount: 600))], into: pending.id)
        // Funds are checked against the balance net of what the import staged: the second does not fit.
        #expect(staged.map(\.payment.state) == [.validated, .failed])
        let spent = try await store.intake([try Requests.intake(merchant, Requests.credit(amount: 500))])[0].payment
        #expect(spent.state == .validated)
        await #expect { try await store.publishImport(pending.id) } throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.payments(PaymentQuery()).map(\.id) == [spent.id])
        #expect(try await store.merchant(merchant.id).balance == 500)
        #expect(try await store.pendingImports().map(\.id) == [pending.id])
    }

    @Test(arguments: StoreImplementation.all)
    func aPublishThatFailsMidwayPublishesNothing(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let armed = Mutex(false)
        let store = try await database.open(faults: FaultInjector { point in point == .afterStateUpdate && armed.withLock { $0 } })
        let merchant = try await store.fundedMerchant(1_000_000)
        let pending = try await store.beginImport(merchantID: merchant.id, source: "a.csv", holder: "host:1")
        _ = try await store.stage([try Requests.intake(merchant)], into: pending.id)
        armed.withLock { $0 = true }
        await #expect(throws: StoreError.self) { try await store.publishImport(pending.id) }
        #expect(try await store.payments(PaymentQuery()).isEmpty)
        #expect(try await store.merchant(merchant.id).balance == 1_000_000)
        armed.withLock { $0 = false }
        try await store.publishImport(pending.id)
        #expect(try await store.payments(PaymentQuery()).count == 1)
        #expect(try await store.merchant(merchant.id).balance == 1_000_000 - 125_000)
    }
}
