import Foundation
import Synchronization
import Testing
import TestSupport
import NACHA
import Payments

/// The store contract: storage semantics tested once, through the protocols, against every store
/// implementation (`StoreImplementation.all`).
@Suite struct LedgerContractTests {
    @Test(arguments: StoreImplementation.all)
    func intakeValidatesReservesAndRecordsHistory(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let store = try await database.open()
        let merchant = try await store.fundedMerchant(200_000)
        let outcome = try await store.intake([Requests.intake(merchant)])[0]
        #expect(outcome.created)
        #expect(outcome.payment.state == .validated)
        #expect(outcome.payment.version == 2)
        #expect(outcome.payment.reservedAmount == 125_000)
        #expect(try await store.merchant(merchant.id).balance == 75_000)
        let history = try await store.history(paymentID: outcome.payment.id)
        #expect(history.map(\.toState) == [.created, .validated])
        #expect(history.map(\.version) == [1, 2])
        #expect(history.map(\.fromState) == [nil, .created])
        #expect(history.allSatisfy { $0.actor == .cli && $0.source != nil })
    }

    /// What intake plans from, handed to its plan in the write's transaction: a used key's payment
    /// and fingerprint, each merchant's balance, and the enabled endpoints its events fan out to;
    /// and the plan returned is what is written.
    @Test(arguments: StoreImplementation.all)
    func takeInHandsItsPlanWhatItReads(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(200_000)
        let other = try await store.fundedMerchant(7, name: "other")
        let used = try Requests.intake(merchant)
        let first = try await store.intake([used])[0].payment
        let fresh = try Requests.intake(other)
        let (reads, endpoints) = try await store.takeIn([used, fresh], stagedIn: nil) { reads, endpoints in (LedgerPlan(), (reads, endpoints)) }
        let existing = try #require(reads.existing[IntakeReads.key(merchant.id, used.idempotencyKey)])
        #expect(existing.payment.id == first.id && existing.payment.version == first.version)
        #expect(existing.fingerprint == used.request.fingerprint)
        #expect(reads.balances[other.id] == 7)
        #expect(reads.read(fresh, LedgerPlanner(endpoints: [:])).balance == 7)
        #expect(endpoints.isEmpty)
        #expect(try await store.payments(PaymentQuery()).count == 1, "an empty plan writes nothing")

        let (endpoint, _, _) = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "https://example.com/hook", eventTypes: [],
                                                                  secret: "whsec_test", idempotencyKey: nil)
        #expect(try await store.enabledEndpoints(merchants: [merchant.id, other.id]).mapValues { $0.map(\.id) } == [merchant.id: [endpoint.id]])
        let seen = try await store.takeIn([fresh], stagedIn: nil) { _, endpoints in (LedgerPlan(), endpoints) }
        #expect(seen.isEmpty, "only the intakes' merchants' endpoints")
        _ = try await store.setWebhookEndpoint(id: endpoint.id, merchantID: merchant.id, enabled: false, reason: nil)
        #expect(try await store.enabledEndpoints(merchants: [merchant.id]).isEmpty, "a disabled endpoint takes no events")
        // A refusal inside the plan leaves nothing written.
        await #expect { try await store.takeIn([fresh], stagedIn: nil) { _, _ -> (LedgerPlan, Int) in throw PaymentError(.invalidRequest, "no") } }
            throws: { ($0 as? PaymentError)?.code == .invalidRequest }
    }

    @Test(arguments: StoreImplementation.all)
    func insufficientFundsFailsThePaymentAndDebitsNeedNoFunds(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(100)
        let credit = try await store.intake([Requests.intake(merchant, Requests.credit(amount: 101))])[0].payment
        #expect(credit.state == .failed)
        #expect(credit.failure?.code == "insufficient_funds")
        let debit = try await store.intake([Requests.intake(merchant, Requests.credit(amount: 5_000, direction: "debit"))])[0].payment
        #expect(debit.state == .validated)
        #expect(try await store.merchant(merchant.id).balance == 100)
    }

    @Test(arguments: StoreImplementation.all)
    func historyIsWrittenAtomicallyWithTheStateChange(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let armed = Mutex(false)
        let store = try await database.open(faults: FaultInjector { point in point == .afterStateUpdate && armed.withLock { $0 } })
        let merchant = try await store.fundedMerchant(200_000)
        let payment = try await store.intake([Requests.intake(merchant)])[0].payment
        armed.withLock { $0 = true }
        await #expect(throws: StoreError.self) {
            try await store.transition(paymentID: payment.id, steps: [
                TransitionStep(to: .submittedToCore, actor: .cutoff, reasonCode: "uploaded", reasonText: "file uploaded"),
            ])
        }
        let after = try await store.payment(id: payment.id)
        #expect(after.state == .validated)
        #expect(after.version == 2)
        #expect(try await store.history(paymentID: payment.id).count == 2)
    }

    @Test(arguments: StoreImplementation.all)
    func intakeIsAllOrNothing(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let store = try await database.open(faults: FaultInjector { $0 == .afterPaymentInsert })
        let merchant = try await store.fundedMerchant(200_000)
        await #expect(throws: StoreError.self) { try await store.intake([Requests.intake(merchant)]) }
        #expect(try await store.payments(PaymentQuery()).isEmpty)
        #expect(try await store.merchant(merchant.id).balance == 200_000)
    }

    @Test(arguments: StoreImplementation.all)
    func refusedTransitionChangesNothing(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(200_000)
        let payment = try await store.intake([Requests.intake(merchant)])[0].payment
        await #expect { try await store.transition(paymentID: payment.id, steps: [
            TransitionStep(to: .submittedToCore, actor: .cutoff, reasonCode: "uploaded", reasonText: "ok"),
            TransitionStep(to: .completed, actor: .bankFile, reasonCode: "settled", reasonText: "skips processing"),
        ]) } throws: { ($0 as? PaymentError)?.code == .invalidTransition }
        #expect(try await store.payment(id: payment.id).state == .validated)
        #expect(try await store.history(paymentID: payment.id).count == 2)
    }

    @Test(arguments: StoreImplementation.all)
    func failedCreditsReleaseFundsAndLateReturnsCreditThemBack(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(300_000)
        let payments = try await store.intake([Requests.intake(merchant), Requests.intake(merchant)]).map(\.payment)
        #expect(try await store.merchant(merchant.id).balance == 50_000)
        _ = try await store.transition(paymentID: payments[0].id, steps: [
            TransitionStep(to: .failed, actor: .operator, reasonCode: "cancelled", reasonText: "operator cancel",
                           failure: Failure(code: "cancelled", message: "cancelled by operator")),
        ])
        #expect(try await store.merchant(merchant.id).balance == 175_000)
        var settled = try await store.transition(paymentID: payments[1].id, steps: [
            TransitionStep(to: .submittedToCore, actor: .cutoff, reasonCode: "uploaded", reasonText: "uploaded"),
            TransitionStep(to: .processing, actor: .bankFile, reasonCode: "ack", reasonText: "accepted"),
            TransitionStep(to: .completed, actor: .bankFile, reasonCode: "settled", reasonText: "settled"),
        ])
        #expect(settled.reservedAmount == 0)
        #expect(try await store.merchant(merchant.id).balance == 175_000)
        settled = try await store.transition(paymentID: payments[1].id, steps: [
            TransitionStep(to: .failed, actor: .bankFile, reasonCode: "R01", reasonText: "late return",
                           source: SourceReference.inboundFile(id: "abc", line: 3), failure: Failure(code: "R01", message: "Insufficient funds")),
        ])
        #expect(settled.version == 6)
        #expect(try await store.merchant(merchant.id).balance == 300_000)
        let last = try #require(try await store.history(paymentID: payments[1].id).last)
        #expect(last.source == SourceReference.inboundFile(id: "abc", line: 3))
        #expect(last.fromState == .completed)
    }

    @Test(arguments: StoreImplementation.all)
    func fiftyConcurrentCreatesWithOneKeyMakeOnePayment(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let store = try await database.open()
        let merchant = try await store.fundedMerchant(100_000_000)
        let key = UUID().uuidString
        let intake = try Requests.intake(merchant, key: key)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await store.intake([intake])[0].payment.id } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(try await store.payments(PaymentQuery()).count == 1)
        #expect(try await store.merchant(merchant.id).balance == 100_000_000 - 125_000)
    }

    @Test(arguments: StoreImplementation.all)
    func fiftyConcurrentCreatesWithOneKeyAndDifferentBodies(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(100_000_000)
        let key = UUID().uuidString
        let results = await withTaskGroup(of: PaymentError.Code?.self) { group in
            for index in 0..<50 {
                group.addTask {
                    do {
                        _ = try await store.intake([Requests.intake(merchant, key: key, Requests.credit(amount: 1_000 + Int64(index)))])
                        return nil
                    } catch {
                        return (error as? PaymentError)?.code
                    }
                }
            }
            return await group.reduce(into: [PaymentError.Code?]()) { $0.append($1) }
        }
        #expect(results.filter { $0 == nil }.count == 1)
        #expect(results.filter { $0 == .idempotencyKeyReused }.count == 49)
        #expect(try await store.payments(PaymentQuery()).count == 1)
    }

    @Test(arguments: StoreImplementation.all)
    func concurrentCreditsNeverOverdrawAcrossConnections(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        // Two stores on one file: a CLI job and a server sharing the database.
        let first = try await database.open()
        let second = try await database.open()
        let merchant = try await first.fundedMerchant(10_000)
        let states = try await withThrowingTaskGroup(of: PaymentState.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? first : second
                let intake = try Requests.intake(merchant, Requests.credit(amount: 1_000))
                group.addTask { try await store.intake([intake])[0].payment.state }
            }
            return try await group.reduce(into: [PaymentState]()) { $0.append($1) }
        }
        #expect(states.filter { $0 == .validated }.count == 10)
        #expect(states.filter { $0 == .failed }.count == 30)
        #expect(try await first.merchant(merchant.id).balance == 0)
    }

    @Test(arguments: StoreImplementation.all)
    func merchantProfileAndDuplicates(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        _ = try await store.addMerchant(name: "acme", companyID: "1234567890", companyName: "ACME")
        await #expect { try await store.addMerchant(name: "acme", companyID: "1", companyName: "ACME") } throws: {
            ($0 as? PaymentError)?.code == .duplicateMerchant
        }
        await #expect { try await store.addMerchant(name: "other", companyID: "12345678901", companyName: "A NAME TOO LONG FOR IT") } throws: {
            ($0 as? PaymentError)?.fieldErrors.map(\.field) == ["company_id", "company_name"]
        }
        await #expect { try await store.merchant("nobody") } throws: { ($0 as? PaymentError)?.code == .merchantNotFound }
    }
}
