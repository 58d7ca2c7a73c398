import Foundation
import NACHA
import Payments
import Testing
import TestSupport

/// The store contract for what operations, the API and the webhook worker ask of a store beyond
/// intake and files: merchants and housekeeping, the lookups ingest and reconcile make of uploaded
/// files, API keys, and the webhook endpoints, results, attempts and replays. Each requirement is
/// called here against every store (`scripts/store-contract-coverage.py` checks that none is left).
@Suite struct OperationsContractTests {
    @Test(arguments: StoreImplementation.all)
    func merchantsIntakeOneByOneAndHousekeeping(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let store = try await database.open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let other = try await store.addMerchant(name: "other", companyID: "2222222222", companyName: "OTHER")
        #expect(try await store.merchants().map(\.id).sorted() == [merchant.id, other.id].sorted())
        #expect(try await store.fund(merchantID: other.id, amount: 500, actor: .cli, reference: "wire 1").balance == 500)

        // Each intake alone: a reused key with another request fails in its slot, the others are taken.
        let first = try await store.intakeEach([Requests.intake(merchant, key: "k1")])
        #expect(first.count == 1 && (try? first[0].get())?.created == true)
        let mixed = try await store.intakeEach([Requests.intake(merchant, key: "k1", Requests.credit(amount: 999)), Requests.intake(merchant, key: "k2")])
        if case .failure(let error) = mixed[0] { #expect(error.code == .idempotencyKeyReused) } else { Issue.record("a reused key is refused") }
        #expect((try? mixed[1].get())?.created == true)

        // Keys of final payments are forgotten after the cutoff; live ones are kept.
        let final = try #require(try? first[0].get()).payment
        _ = try await store.transition(paymentID: final.id, steps: [PlanContractTests.step(.failed)])
        #expect(try await store.purgeIdempotencyKeys(finalBefore: Date().addingTimeInterval(60)) == 1)
        #expect(try await store.purgeIdempotencyKeys(finalBefore: Date().addingTimeInterval(60)) == 0)

        try await store.checkReachable()
        let version = try await store.schemaVersion()
        #expect(version > 0)
        #expect(try await database.open().schemaVersion() == version, "opening again migrates nothing more")
    }

    @Test(arguments: StoreImplementation.all)
    func anUploadedFileIsFoundByItsIdentityTracesBatchesAndStates(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake((0..<3).map { _ in try Requests.intake(merchant) }).map(\.payment)
        let file = FileLedgerContractTests.file(id: "fil_a")
        try await store.recordRenderedFile(file, binding: try FileLedgerContractTests.binding([
            (payments[0], 1, 12104288_0000001, 3), (payments[1], 1, 12104288_0000002, 4), (payments[2], 1, 12104288_0000003, 5),
        ], fileID: "fil_a"))
        let before = Date().addingTimeInterval(-1)
        _ = try await store.markUploaded(fileID: "fil_a", remotePath: "/in/fil_a.ach", actor: .cutoff, at: Date())

        #expect(try await store.usedFileIDModifiers(origin: " 121042882", destination: " 091000019",
                                                    date: ACHDate(year: 2026, month: 12, day: 2)) == ["A"])
        #expect(try await store.usedFileIDModifiers(origin: " 121042882", destination: " 091000019",
                                                    date: ACHDate(year: 2026, month: 12, day: 3)).isEmpty)
        // A page of a file of any size, in line order.
        let page = try await store.filePayments(fileID: "fil_a", afterLine: 3, limit: 1)
        #expect(page.map(\.payment.id) == [payments[1].id] && page.first?.binding.line == 4)
        #expect(try await store.filePayments(fileID: "fil_a", afterLine: 5, limit: 10).isEmpty)

        let traced = try await store.payments(traceNumbers: [12104288_0000002, 12104288_0000009])
        #expect(traced.mapValues(\.id) == [12104288_0000002: payments[1].id])
        let found = try await store.outboundFile(origin: " 121042882", destination: " 091000019", creationDate: "261202",
                                                 creationTime: "0930", modifier: "A")
        #expect(found?.id == "fil_a")
        #expect(try await store.outboundFile(origin: " 121042882", destination: " 091000019", creationDate: "261202",
                                             creationTime: "0930", modifier: "B") == nil)
        let batches = try await store.unsettledBatches()
        #expect(batches.count == 1 && batches.first?.fileID == "fil_a" && batches.first?.batchNumber == 1)
        #expect(batches.first?.total == payments.reduce(0) { $0 + $1.amount } && batches.first?.paymentIDs.count == 3)
        let totals = try await store.fileStateTotals()
        #expect(totals.count == 1 && totals.first?.states[.submittedToCore]?.count == 3)
        #expect(try await store.payments(in: .submittedToCore, changedBefore: Date().addingTimeInterval(60)).count == 3)
        #expect(try await store.payments(in: .submittedToCore, changedBefore: before).isEmpty)

        // A file whose upload cannot be finished is marked failed, with its reason.
        let other = try await store.intake([Requests.intake(merchant)]).map(\.payment)
        try await store.recordRenderedFile(FileLedgerContractTests.file(id: "fil_b"), binding: try FileLedgerContractTests.binding([
            (other[0], 1, 12104288_0000004, 3),
        ], fileID: "fil_b"))
        let failed = try await store.markFailed(fileID: "fil_b", reason: "the bank refused the login")
        #expect(failed.status == .failed && failed.failureReason == "the bank refused the login")
        #expect(try await store.outboundFiles(statuses: [.failed]).map(\.id) == ["fil_b"])
    }

    @Test(arguments: StoreImplementation.all)
    func apiKeysAuthenticateUntilRevoked(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let other = try await store.addMerchant(name: "other", companyID: "2222222222", companyName: "OTHER")
        let (key, secret) = try await store.createAPIKey(merchantID: merchant.id)
        #expect(key.merchantID == merchant.id && key.revokedAt == nil && !secret.isEmpty)
        #expect(try await store.apiKeys(merchantID: merchant.id).map(\.id) == [key.id])
        #expect(try await store.apiKeys(merchantID: other.id).isEmpty)
        #expect(try await store.authenticate(secret: secret)?.id == merchant.id)
        #expect(try await store.authenticate(secret: secret + "x") == nil)
        await #expect { _ = try await store.revokeAPIKey(id: key.id, merchantID: other.id) } throws: {
            ($0 as? PaymentError)?.code == .notFound
        }
        #expect(try await store.revokeAPIKey(id: key.id, merchantID: merchant.id).revokedAt != nil)
        #expect(try await store.revokeAPIKey(id: key.id, merchantID: merchant.id).revokedAt != nil, "revoking twice is harmless")
        #expect(try await store.authenticate(secret: secret) == nil)
    }

    @Test(arguments: StoreImplementation.all)
    func webhookEndpointsRotateRecordAttemptsAndReplay(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let secret = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
        let endpoint = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                                          secret: secret, idempotencyKey: nil).endpoint
        #expect(try await store.webhookEndpoints(merchantID: merchant.id).map(\.id) == [endpoint.id])
        #expect(try await store.webhookEndpoints(merchantID: nil).map(\.id) == [endpoint.id])
        #expect(!endpoint.allowsPrivateAddresses, "a merchant's endpoint takes public addresses only")
        // An operator's grant of private addresses is kept with the endpoint.
        let inside = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://10.0.0.9/hook", eventTypes: [], secret: secret,
                                                          idempotencyKey: nil, allowsPrivateAddresses: true).endpoint
        #expect(try await store.webhookEndpoints(merchantID: merchant.id).first { $0.id == inside.id }?.allowsPrivateAddresses == true)
        _ = try await store.setWebhookEndpoint(id: inside.id, merchantID: nil, enabled: false, reason: "test")

        // Disabled and enabled again, by the merchant or an operator.
        let disabled = try await store.setWebhookEndpoint(id: endpoint.id, merchantID: merchant.id, enabled: false, reason: "maintenance")
        #expect(!disabled.enabled && disabled.disabledReason == "maintenance")
        #expect(try await store.setWebhookEndpoint(id: endpoint.id, merchantID: nil, enabled: true, reason: nil).enabled)

        // A rotation repeated with its key rotates once.
        let newSecret = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()
        let rotated = try await store.rotateWebhookSecret(endpointID: endpoint.id, merchantID: merchant.id, newSecret: newSecret,
                                                          graceEnds: Date().addingTimeInterval(3_600), idempotencyKey: "rot-1")
        #expect(rotated.secret == newSecret)
        let again = try await store.rotateWebhookSecret(endpointID: endpoint.id, merchantID: merchant.id,
                                                        newSecret: "whsec_" + Data(repeating: 3, count: 32).base64EncodedString(),
                                                        graceEnds: Date().addingTimeInterval(3_600), idempotencyKey: "rot-1")
        #expect(again.secret == newSecret)

        // A payment that fails for want of funds is announced; the delivery is leased, fails once, and its attempt is kept.
        _ = try await store.intake([Requests.intake(merchant, Requests.credit(amount: 2_000_000))])
        let claimed = try await store.recordAndClaimWebhookDeliveries([], owner: "w", limit: 10, perEndpoint: 10, now: Date(),
                                                                      leaseEnds: Date().addingTimeInterval(60))
        let delivery = try #require(claimed.first)
        #expect(delivery.secrets.first == newSecret, "signed with the newest secret")
        let attempt = WebhookAttempt(eventID: delivery.event.id, endpointID: endpoint.id, attempt: delivery.attempt, startedAt: Date(),
                                     statusCode: 503, latencyMilliseconds: 12, error: nil, responseExcerpt: "busy")
        try await store.recordWebhookResults([DeliveryResult(deliveryID: delivery.id, attempt: attempt,
                                                             next: .retry(at: Date().addingTimeInterval(600)))], owner: "w")
        let attempts = try await store.webhookAttempts(eventID: delivery.event.id)
        #expect(attempts.map(\.statusCode) == [503] && attempts.first?.responseExcerpt == "busy")
        #expect(try await store.webhookDeliveryCount(status: .pending) == claimed.count)

        // Replayed: due now with fresh attempts, one event or all since a time.
        #expect(try await store.replayWebhookEvent(id: delivery.event.id, endpointID: endpoint.id) == 1)
        await #expect { _ = try await store.replayWebhookEvent(id: "evt_none", endpointID: nil) } throws: {
            ($0 as? PaymentError)?.code == .notFound
        }
        #expect(try await store.replayWebhookEvents(since: Date().addingTimeInterval(-60), endpointID: nil) == claimed.count)
        #expect(try await store.replayWebhookEvents(since: Date().addingTimeInterval(60), endpointID: nil) == 0)
        let due = try await store.recordAndClaimWebhookDeliveries([], owner: "w2", limit: 10, perEndpoint: 10, now: Date(),
                                                                  leaseEnds: Date().addingTimeInterval(60))
        #expect(due.map(\.event.id).contains(delivery.event.id) && due.first { $0.event.id == delivery.event.id }?.attempt == 1)
    }

    @Test(arguments: StoreImplementation.all)
    func checksAreReadByIdLeavingOutUnknownIds(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let (a, b) = (try await Checks.issue(store, account, serial: "1"), try await Checks.issue(store, account, serial: "2"))
        let found = try await store.checks(ids: [a.id, b.id, a.id, "chk_none"])
        #expect(found.keys.sorted() == [a.id, b.id].sorted() && found[a.id]?.serial == "1")
        #expect(try await store.checks(ids: []).isEmpty)
    }
}
