import Foundation
import Synchronization
import Testing
import TestSupport
import Payments

/// The store contract for plans: a plan is written whole at the versions it was computed from, or
/// refused whole; outbox events commit with their change and never without it.
@Suite struct PlanContractTests {
    static func step(_ state: PaymentState, failure: Failure? = nil) -> TransitionStep {
        TransitionStep(to: state, actor: .operator, reasonCode: "test", reasonText: "test", failure: failure)
    }

    @Test(arguments: StoreImplementation.all)
    func aPlanFromAStaleReadIsRefusedWhole(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (first, second) = (try await database.open(), try await database.open())
        let merchant = try await first.fundedMerchant(1_000_000)
        let read = try await first.intake([Requests.intake(merchant)])[0].payment
        var planner = LedgerPlanner(endpoints: [:])
        try planner.apply([Self.step(.submittedToCore)], to: read)
        planner.note(read, code: "n", text: "a note in the same plan", actor: .operator, source: nil)
        // Another writer, on another connection, changes the payment after the read.
        _ = try await second.transition(paymentID: read.id, steps: [
            Self.step(.failed, failure: Failure(code: "cancelled", message: "cancelled")),
        ])
        await #expect { try await first.persist(planner.plan) } throws: { ($0 as? StoreError)?.code == .conflict }
        let after = try await first.payment(id: read.id)
        #expect(after.state == .failed)
        #expect(after.version == 3)
        #expect(try await first.history(paymentID: read.id).map(\.version) == [1, 2, 3])
        #expect(try await first.merchant(merchant.id).balance == 1_000_000)

        var fresh = LedgerPlanner(endpoints: [:])
        fresh.note(after, code: "n", text: "planned on what is there now", actor: .operator, source: nil)
        try await second.persist(fresh.plan)
        #expect(try await first.payment(id: read.id).version == 4)
    }

    @Test(arguments: StoreImplementation.all)
    func aBindingPlanExpectsThePaymentStillUnbound(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let read = try await store.intake([Requests.intake(merchant)])[0].payment
        try await store.recordRenderedFile(FileLedgerContractTests.file(id: "fil_a"),
                                           binding: try FileLedgerContractTests.binding([(read, 1, 12104288_0000001, 3)], fileID: "fil_a"))
        // Planned from the unbound read: binding does not move the version, the binding check catches it.
        var planner = LedgerPlanner(endpoints: [:])
        try planner.bind(read, to: FileBinding(paymentID: read.id, batchNumber: 1, traceNumber: 12104288_0000002, line: 3),
                         fileID: "fil_a")
        await #expect { try await store.persist(planner.plan) } throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.payment(id: read.id).submission?.traceNumber == 12104288_0000001)
    }

    @Test(arguments: StoreImplementation.all)
    func aFileWideStepIsRefusedWholeWhenOnePaymentMovedOn(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let (endpoint, _, _) = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                                                  secret: "whsec_test", idempotencyKey: nil)
        let read = try await store.intake([try Requests.intake(merchant), try Requests.intake(merchant)]).map(\.payment)
        let file = FileLedgerContractTests.file(id: "fil_a")
        try await store.recordRenderedFile(file, binding: try FileLedgerContractTests.binding(
            [(read[0], 1, 12104288_0000001, 3), (read[1], 1, 12104288_0000002, 4)], fileID: "fil_a"))
        var planner = LedgerPlanner(endpoints: [merchant.id: [endpoint]])
        try planner.confirmUpload(of: file, bound: read.map {
            BoundRequest(id: $0.id, merchantID: $0.merchantID, state: $0.state, version: $0.version)
        }, actor: .cutoff)
        _ = try await store.transition(paymentID: read[1].id, steps: [
            Self.step(.failed, failure: Failure(code: "cancelled", message: "cancelled")),
        ])
        await #expect { try await store.persist(planner.plan) } throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.payment(id: read[0].id).state == .validated)
        #expect(try await store.history(paymentID: read[0].id).count == 2)
        // The plan's events (one per payment, to the endpoint) went with it; only the cancel's own event is there.
        #expect(planner.plan.events.count == 2)
        #expect(try await store.webhookDeliveries(status: nil, limit: 10).map(\.eventType) == [.failed])
    }

    @Test(arguments: StoreImplementation.all)
    func outboxEventsCommitWithTheirChangeAndNeverWithout(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let armed = Mutex(true)
        let store = try await database.open(faults: FaultInjector { $0 == .afterStateUpdate && armed.withLock { $0 } })
        let merchant = try await store.fundedMerchant(1_000_000)
        _ = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                               secret: "whsec_test", idempotencyKey: nil)
        let payment = try await store.intake([Requests.intake(merchant)])[0].payment
        await #expect(throws: StoreError.self) { try await store.transition(paymentID: payment.id, steps: [Self.step(.submittedToCore)]) }
        #expect(try await store.webhookDeliveries(status: nil, limit: 10).isEmpty)
        armed.withLock { $0 = false }
        _ = try await store.transition(paymentID: payment.id, steps: [Self.step(.submittedToCore), Self.step(.processing)])
        let deliveries = try await store.webhookDeliveries(status: nil, limit: 10)
        #expect(deliveries.map(\.eventType) == [.submitted, .processing])
        #expect(deliveries.map(\.eventID) == [3, 4].map { OutboxEvent.id(subjectID: payment.id, version: $0) })
        // The log pages either way by its cursor, and ranges over when deliveries were made.
        let newest = try await store.webhookDeliveries(status: nil, window: ListWindow(newestFirst: true, limit: 1))
        #expect(newest.map(\.eventType) == [.processing])
        #expect(try await store.webhookDeliveries(status: nil, window: ListWindow(newestFirst: true, afterID: newest[0].id)).map(\.eventType)
                == [.submitted])
        #expect(try await store.webhookDeliveries(status: nil, window: ListWindow(afterID: deliveries[0].id)).map(\.id) == [deliveries[1].id])
        #expect(try await store.webhookDeliveries(status: nil, window: ListWindow(until: deliveries[0].createdAt)).isEmpty)
        #expect(try await store.webhookDeliveries(status: .delivered, window: ListWindow()).isEmpty)
    }

    @Test(arguments: StoreImplementation.all)
    func fundsMovesKeepARunningLedgerAndNeverOverdraw(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000)
        // A plan that would take the balance below zero (as a planner on a stale balance might) is refused.
        var planner = LedgerPlanner(endpoints: [:])
        _ = try planner.fund(merchant, amount: 500, actor: .operator, reference: "top-up")
        let stale = Merchant(id: merchant.id, name: merchant.name, companyID: merchant.companyID, companyName: merchant.companyName,
                             balance: 5_000, createdAt: merchant.createdAt)
        var overdraw = LedgerPlanner(endpoints: [:])
        let request = try Requests.intake(merchant, Requests.credit(amount: 4_000))
        _ = try overdraw.takeIn(request, as: IntakeRead(existing: nil, balance: stale.balance, correction: nil))
        await #expect { try await store.persist(overdraw.plan) } throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.payments(PaymentQuery()).isEmpty)
        try await store.persist(planner.plan)
        #expect(try await store.merchant(merchant.id).balance == 1_500)
    }

    @Test(arguments: StoreImplementation.all)
    func anIntakePlanWhoseKeyWasTakenMeanwhileIsRefusedWhole(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (first, second) = (try await database.open(), try await database.open())
        let merchant = try await first.fundedMerchant(1_000_000)
        let request = try Requests.intake(merchant, key: "taken-meanwhile")
        // Planned on a read that found the key unused…
        var planner = LedgerPlanner(endpoints: [:])
        _ = try planner.takeIn(request, as: IntakeRead(existing: nil, balance: merchant.balance, correction: nil))
        // …which another connection then used for the same request.
        let winner = try await second.intake([request])[0].payment
        await #expect { try await first.persist(planner.plan) } throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await first.payments(PaymentQuery()).map(\.id) == [winner.id])
        #expect(try await first.merchant(merchant.id).balance == 1_000_000 - winner.reservedAmount)
    }
}
