import API
import Foundation
import Payments
import TestSupport
import Testing
import WebhookReceiver
import WebhookSignature

@Suite("receiver kit")
struct ReceiverKitTests {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    func delivery(id: String = "evt_1", version: Int = 3, state: String = "P_SUBMITTED_TO_CORE", payment: String = "pay_1",
                  timestamp: Int = Int(Date().timeIntervalSince1970), secrets: [String]? = nil) -> ([String: String], Data) {
        let body = Data(#"{"id":"\#(id)","type":"payment.submitted","timestamp":"2026-11-22T00:00:00.000Z","data":{"id":"\#(payment)","state":"\#(state)","version":\#(version),"amount":1500,"failure":null}}"#.utf8)
        let signature = StandardWebhooks.signatureHeader(id: id, timestamp: timestamp, body: body, secrets: secrets ?? [secret])
        return (["Webhook-Id": id, "Webhook-Timestamp": String(timestamp), "Webhook-Signature": signature], body)
    }

    @Test("signatures follow Standard Webhooks exactly (the specification's test vector)")
    func standardVector() {
        let body = Data(#"{"test": 2432232314}"#.utf8)
        #expect(StandardWebhooks.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body, secret: secret)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(StandardWebhooks.isValid(header: "v1,bogus v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                                         id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body, secret: secret))
        #expect(StandardWebhooks.key(secret: "whsec_c2hvcnQ=") == nil, "keys shorter than 24 bytes are refused")
    }

    @Test("tampered body, wrong secret, stale or future timestamp, missing headers: discarded with a typed reason")
    func discards() throws {
        let verifier = WebhookVerifier(secrets: [secret])
        let (headers, body) = delivery()
        #expect(try verifier.verify(headers: headers, body: body).data.version == 3)
        var tampered = body
        tampered[tampered.count - 3] = UInt8(ascii: "7")
        #expect(throws: VerificationError.self) { try verifier.verify(headers: headers, body: tampered) }
        func code(_ headers: [String: String], _ body: Data, _ verifier: WebhookVerifier = WebhookVerifier(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])) -> VerificationError.Code? {
            do { _ = try verifier.verify(headers: headers, body: body); return nil } catch { return error.code }
        }
        #expect(code(headers, tampered) == .invalidSignature)
        #expect(code(headers, body, WebhookVerifier(secrets: [StandardWebhooks.makeSecret()])) == .invalidSignature)
        let stale = delivery(timestamp: Int(Date().timeIntervalSince1970) - 301)
        #expect(code(stale.0, stale.1) == .staleTimestamp)
        let future = delivery(timestamp: Int(Date().timeIntervalSince1970) + 400)
        #expect(code(future.0, future.1) == .futureTimestamp)
        #expect(code(headers.filter { $0.key != "Webhook-Signature" }, body) == .missingHeader)
        var renamed = headers
        renamed["Webhook-Timestamp"] = "yesterday"
        #expect(code(renamed, body) == .invalidTimestamp)
        // Either secret of a rotation verifies a delivery signed with both.
        let other = StandardWebhooks.makeSecret()
        let both = delivery(secrets: [other, secret])
        #expect(code(both.0, both.1) == nil)
        #expect(code(both.0, both.1, WebhookVerifier(secrets: [other])) == nil)
    }

    @Test("duplicates and older versions are acknowledged and ignored, in memory and in SQLite across restarts")
    func dedupeAndOrdering() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-\(UUID().uuidString).sqlite").path
        for makeStore in [{ InMemoryReceiverStore() as any ReceiverStore }, { try! SQLiteReceiverStore(path: path) as any ReceiverStore }] {
            let receiver = WebhookReceiver(verifier: WebhookVerifier(secrets: [secret]), store: makeStore())
            let v4 = delivery(id: "evt_pay_1_4", version: 4, state: "P_PROCESSING")
            let v3 = delivery(id: "evt_pay_1_3", version: 3)
            guard case .apply(let applied, _, false) = try await receiver.receive(headers: v4.0, body: v4.1) else {
                Issue.record("the first event applies")
                continue
            }
            #expect(applied.version == 4)
            #expect(try await receiver.receive(headers: v4.0, body: v4.1) == .duplicate(eventID: "evt_pay_1_4"))
            guard case .stale = try await receiver.receive(headers: v3.0, body: v3.1) else {
                Issue.record("an older version is stale")
                continue
            }
        }
        // A new process on the same file remembers.
        let reopened = WebhookReceiver(verifier: WebhookVerifier(secrets: [secret]), store: try SQLiteReceiverStore(path: path))
        let again = delivery(id: "evt_pay_1_4", version: 4, state: "P_PROCESSING")
        #expect(try await reopened.receive(headers: again.0, body: again.1) == .duplicate(eventID: "evt_pay_1_4"))
    }

    @Test("a skipped version makes the kit fetch GET /payments/{id} from a live metl API and apply that")
    func reconcileWithStatusEndpoint() async throws {
        let fixture = try await WebhookFixture()
        let key = try await fixture.store.createAPIKey(merchantID: fixture.merchant.id).secret
        let server = await LoopbackServer.start(APIServer.router(store: fixture.store))
        defer { Task { await server.stop() } }
        let port = server.port

        let payment = try await fixture.payment(through: [.submittedToCore, .processing, .completed])
        let receiver = WebhookReceiver(verifier: WebhookVerifier(secrets: [secret]), store: InMemoryReceiverStore(),
                                       status: StatusClient(baseURL: "http://127.0.0.1:\(port)", apiKey: key))
        let submitted = delivery(id: "evt_a_3", version: 3, payment: payment.id)
        _ = try await receiver.receive(headers: submitted.0, body: submitted.1)
        // Version 4 (processing) is still on its way; version 5 arrives first and claims P_PROCESSING is stale news.
        let jumped = delivery(id: "evt_a_5", version: 5, state: "P_PROCESSING", payment: payment.id)
        guard case .apply(let current, _, let reconciled) = try await receiver.receive(headers: jumped.0, body: jumped.1) else {
            Issue.record("the event should apply")
            return
        }
        #expect(reconciled)
        #expect(current.state == "P_COMPLETED" && current.version == 5)
        // The late version 4 is now stale.
        let late = delivery(id: "evt_a_4", version: 4, state: "P_PROCESSING", payment: payment.id)
        guard case .stale = try await receiver.receive(headers: late.0, body: late.1) else {
            Issue.record("the late event is stale")
            return
        }
    }

    @Test("check and exception events as metl renders them are reconciled from their own status endpoints when a version was skipped")
    func reconcileChecksAndExceptions() async throws {
        let fixture = try await WebhookFixture()
        let store = fixture.store
        let key = try await store.createAPIKey(merchantID: fixture.merchant.id).secret
        let (endpoint, endpointSecret) = try await fixture.endpoint("http://127.0.0.1:9/hook")
        let server = await LoopbackServer.start(APIServer.router(store: store))
        defer { Task { await server.stop() } }
        let account = try await Checks.account(store, merchant: fixture.merchant)
        let check = try await Checks.issue(store, account, serial: "77")
        _ = try await store.voidCheck(id: check.id, actor: .api, source: nil)
        var planner = CheckPlanner(endpoints: [fixture.merchant.id: [endpoint]])
        planner.open(CheckException(id: "exc_R", bankReference: "R-1", merchantID: fixture.merchant.id, accountID: account.id, checkID: nil,
                                    serial: "78", presentedAmount: 500, issuedAmount: nil, presentedPayee: "X", reason: .paidNotIssued,
                                    defaultDecision: .return, deadline: Date().addingTimeInterval(-1), status: .open,
                                    source: .inboundFile(id: "inb_x", line: 2), createdAt: Date()), on: nil)
        try await store.persist(planner.plan)
        _ = try await store.closeLapsedExceptions(at: Date(), actor: .cutoff)

        let receiver = WebhookReceiver(verifier: WebhookVerifier(secrets: [endpointSecret]), store: InMemoryReceiverStore(),
                                       status: StatusClient(baseURL: "http://127.0.0.1:\(server.port)", apiKey: key))
        func signed(_ delivery: WebhookDelivery) -> ([String: String], Data) {
            let body = delivery.event.payload, now = Int(Date().timeIntervalSince1970)
            return (["Webhook-Id": delivery.event.id, "Webhook-Timestamp": String(now),
                     "Webhook-Signature": StandardWebhooks.signatureHeader(id: delivery.event.id, timestamp: now, body: body,
                                                                           secrets: delivery.secrets)], body)
        }
        func claim(after delivered: [WebhookDelivery] = []) async throws -> [WebhookDelivery] {
            try await store.recordAndClaimWebhookDeliveries(delivered.map { delivery in
                DeliveryResult(deliveryID: delivery.id, attempt: WebhookAttempt(
                    eventID: delivery.event.id, endpointID: delivery.endpoint.id, attempt: delivery.attempt, startedAt: Date(), statusCode: 204,
                    latencyMilliseconds: 1, error: nil, responseExcerpt: nil), next: .delivered)
            }, owner: "t", limit: 10, perEndpoint: 10, now: Date(), leaseEnds: Date().addingTimeInterval(60))
        }
        let first = try await claim()
        #expect(Set(first.map(\.event.type)) == [.checkFailed, .exceptionOpened])
        // The receiver knew the check at version 1 only: version 3 is a gap, read back from GET /positive-pay/checks/{id}.
        _ = try await receiver.store.record(eventID: "evt_seen", subjectID: check.id, version: 1)
        let failed = try #require(first.first { $0.event.type == .checkFailed })
        let (headers, body) = signed(failed)
        guard case .apply(let current, let event, true) = try await receiver.receive(headers: headers, body: body) else {
            Issue.record("the check event should be reconciled")
            return
        }
        #expect(event.subject == .check && current.id == check.id && current.state == "P_FAILED" && current.version == 3)
        #expect(current.failure?.code == "cancelled" && current.amount == check.amount)
        let opened = try #require(first.first { $0.event.type == .exceptionOpened })
        let (openedHeaders, openedBody) = signed(opened)
        guard case .apply(let open, _, false) = try await receiver.receive(headers: openedHeaders, body: openedBody) else {
            Issue.record("the opened event applies as it is")
            return
        }
        #expect(open.state == "open" && open.version == 1 && open.amount == 500)
        // Closing without a decision goes from version 1 to 3: read back from GET /positive-pay/exceptions/{id}.
        let closed = try #require(try await claim(after: first).first)
        #expect(closed.event.type == .exceptionClosed)
        let (closedHeaders, closedBody) = signed(closed)
        guard case .apply(let settled, _, true) = try await receiver.receive(headers: closedHeaders, body: closedBody) else {
            Issue.record("the closing event should be reconciled")
            return
        }
        #expect(settled.id == "exc_R" && settled.state == "closed" && settled.version == 3)
    }
}
