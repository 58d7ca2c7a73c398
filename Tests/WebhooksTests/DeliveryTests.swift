import Foundation
import Payments
import Synchronization
import TestSupport
import Testing
import WebhookReceiver
import WebhookSignature
import Webhooks

/// The worker against real receivers on 127.0.0.1.
@Suite("webhook delivery")
struct DeliveryTests {
    @Test("a slow receiver holds back no other endpoint: the window refills as attempts finish", arguments: StoreImplementation.all)
    func slowReceiverHoldsBackNoOther(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let slow = try await TestReceiver(secrets: [secret]) { _ in .init(status: 200, delay: .seconds(20)) }
        let fast = try await TestReceiver(secrets: [secret]) { _ in .init(status: 200) }
        defer { Task { await slow.stop(); await fast.stop() } }
        for (name, receiver, count) in [("slow", slow, 1), ("fast", fast, 60)] {
            // No funds: every intake fails its funds check, one payment.failed event each.
            let merchant = try await fixture.store.addMerchant(name: name, companyID: "1234567890", companyName: "M")
            _ = try await fixture.store.addWebhookEndpoint(merchantID: merchant.id, url: receiver.url, eventTypes: [], secret: secret,
                                                           idempotencyKey: nil)
            _ = try await fixture.store.intake(try (0..<count).map { _ in try Requests.intake(merchant) })
        }
        var settings = WebhookFixture.settings(timeout: .seconds(30))
        settings.concurrencyPerEndpoint = 4
        let summary = try await fixture.worker(settings).drain(timeout: .seconds(40))
        #expect(summary.delivered == 61)
        let slowArrival = try #require(slow.received.first?.at)
        let lastFast = try #require(fast.received.map(\.at).max())
        // In rounds, 56 of the fast receiver's events would have waited for the slow answer: all
        // arrived before it was given. (The slow answer takes 20 s so that a loaded machine, on
        // which 60 deliveries, each recorded with a synced commit, took more than 12 s while the
        // whole suite ran, still tells the two apart.)
        #expect(fast.received.count == 60)
        #expect(lastFast < slowArrival.addingTimeInterval(20))
    }

    @Test("a receiver failing the first 2 attempts gets the event on the 3rd: same id, signed, attempts recorded", arguments: StoreImplementation.all)
    func failFirstAttempts(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { $0 < 2 ? .init(status: 500) : .init(status: 200) }
        defer { Task { await receiver.stop() } }
        let (endpoint, _, _) = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url,
                                                                          eventTypes: [], secret: secret, idempotencyKey: nil)
        let payment = try await fixture.payment(through: [.submittedToCore])
        let summary = try await fixture.worker().drain(timeout: .seconds(30))
        #expect(summary.delivered == 1 && summary.attempts == 3 && summary.pending == 0)
        let received = receiver.received
        #expect(received.count == 3)
        #expect(received.allSatisfy { $0.verified })
        let eventID = "evt_\(payment.id.dropFirst(4))_3"
        #expect(received.map { $0.headers["webhook-event-id"] } == Array(repeating: eventID, count: 3))
        #expect(received.map { $0.headers["webhook-id"] } == Array(repeating: eventID, count: 3))
        #expect(received.map { $0.headers["webhook-attempt"] } == ["1", "2", "3"])
        #expect(Set(received.map(\.body)).count == 1, "every retry sends the same bytes")
        let attempts = try await fixture.store.webhookAttempts(eventID: eventID)
        #expect(attempts.map(\.statusCode) == [500, 500, 200])
        #expect(attempts.map(\.endpointID) == Array(repeating: endpoint.id, count: 3))
        #expect(attempts.last?.responseExcerpt == "ok 2")
    }

    @Test("a worker that allows public addresses only delivers to a loopback endpoint an operator registered for it, and to no other",
          arguments: StoreImplementation.all)
    func privateAddressGrant(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { _ in .init(status: 200) }
        defer { Task { await receiver.stop() } }
        let (granted, _, _) = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                                         secret: secret, idempotencyKey: nil, allowsPrivateAddresses: true)
        let (plain, _, _) = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url + "?plain",
                                                                       eventTypes: [], secret: secret, idempotencyKey: nil)
        #expect(try await fixture.store.webhookEndpoints(merchantID: fixture.merchant.id).map(\.allowsPrivateAddresses) == [true, false])
        try await fixture.payment(through: [.submittedToCore])
        var publicOnly = WebhookFixture.settings(schedule: "1h")
        publicOnly.addressPolicy.allowPrivate = false
        _ = try await fixture.worker(publicOnly).drain(timeout: .seconds(5))
        let received = receiver.received
        #expect(received.count == 1 && received.allSatisfy(\.verified), "the granted endpoint only")
        let events = try await fixture.store.webhookDeliveries(status: nil, limit: 10)
        #expect(events.contains { $0.endpointID == granted.id && $0.status == .delivered })
        let refused = events.first { $0.endpointID == plain.id }
        #expect(refused?.status == .pending, "the other endpoint is refused and waits for its retry")
    }

    @Test("a receiver that is down, then comes back, gets the event", arguments: StoreImplementation.all)
    func downThenBack(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let port = try LoopbackServer.freePort()
        let (_, secret) = try await fixture.endpoint("http://127.0.0.1:\(port)/hook")
        try await fixture.payment(through: [.submittedToCore])
        let worker = fixture.worker(WebhookFixture.settings(schedule: "300ms,300ms,1s,2s"))
        let first = try await worker.drain(timeout: .milliseconds(1))
        #expect(first.delivered == 0 && first.pending == 1)
        let receiver = try await TestReceiver(port: port, secrets: [secret]) { _ in .init(status: 204) }
        defer { Task { await receiver.stop() } }
        let second = try await fixture.worker(WebhookFixture.settings(schedule: "300ms,300ms,1s,2s")).drain(timeout: .seconds(30))
        #expect(second.delivered == 1)
        #expect(receiver.received.count == 1 && receiver.received[0].verified)
        let attempts = try await fixture.store.webhookAttempts(eventID: try #require(try await fixture.store.webhookDeliveries(status: nil, limit: 1).first?.eventID))
        #expect(attempts.first?.statusCode == nil && attempts.first?.error != nil)
        #expect(attempts.last?.statusCode == 204)
    }

    @Test("410 Gone disables the endpoint; its deliveries wait and go out once it is enabled", arguments: StoreImplementation.all)
    func gone(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { $0 == 0 ? .init(status: 410) : .init(status: 200) }
        defer { Task { await receiver.stop() } }
        let (endpoint, _, _) = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url,
                                                                          eventTypes: [], secret: secret, idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore, .processing])
        let summary = try await fixture.worker().drain(timeout: .seconds(2))
        #expect(summary.attempts == 1 && summary.pending == 2)
        let disabled = try #require(try await fixture.store.webhookEndpoints(merchantID: fixture.merchant.id).first)
        #expect(!disabled.enabled && disabled.disabledReason?.contains("410") == true)
        _ = try await fixture.store.setWebhookEndpoint(id: endpoint.id, merchantID: nil, enabled: true, reason: nil)
        let resumed = try await fixture.worker().drain(timeout: .seconds(30))
        #expect(resumed.delivered == 2)
        let types = receiver.received.compactMap { (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["type"] as? String }
        #expect(types == ["payment.submitted", "payment.submitted", "payment.processing"])
        #expect(receiver.received.allSatisfy { $0.verified })
    }

    @Test("a receiver that stalls past the timeout counts as a failed attempt; the retry is delivered", arguments: StoreImplementation.all)
    func stall(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { $0 == 0 ? .init(status: 200, delay: .seconds(6)) : .init(status: 200) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                       secret: secret, idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore])
        let summary = try await fixture.worker(WebhookFixture.settings(timeout: .milliseconds(1_500))).drain(timeout: .seconds(30))
        // Only the first answer stalls; a later attempt could also time out on a loaded machine, never succeed twice.
        #expect(summary.delivered == 1 && summary.attempts >= 2)
        let eventID = try #require(try await fixture.store.webhookDeliveries(status: nil, limit: 1).first?.eventID)
        let attempts = try await fixture.store.webhookAttempts(eventID: eventID)
        #expect(attempts.first?.error == "timed out")
        #expect(attempts.first.map { $0.latencyMilliseconds < 5_000 } == true)
        #expect(receiver.received.allSatisfy { $0.verified })
    }

    @Test("429 with Retry-After is honoured before the next attempt", arguments: StoreImplementation.all)
    func retryAfter(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) {
            $0 == 0 ? .init(status: 429, headers: ["Retry-After": "2"]) : .init(status: 200)
        }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                       secret: secret, idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore])
        let summary = try await fixture.worker().drain(timeout: .seconds(30))
        #expect(summary.delivered == 1)
        let received = receiver.received
        try #require(received.count == 2)
        #expect(received[1].at.timeIntervalSince(received[0].at) >= 1.9)
        #expect(received.allSatisfy { $0.verified })
    }

    @Test("after the last attempt the event is dead-lettered; a replay delivers it with the same id", arguments: StoreImplementation.all)
    func deadLetterAndReplay(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let healthy = Mutex(false)
        let receiver = try await TestReceiver(secrets: [secret]) { _ in .init(status: healthy.withLock { $0 } ? 200 : 503) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                       secret: secret, idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore])
        // A drain ends as soon as nothing is due; the long timeout only serves a machine that stalls.
        let summary = try await fixture.worker(WebhookFixture.settings(schedule: "100ms,100ms")).drain(timeout: .seconds(30))
        #expect(summary.attempts == 3 && summary.deadLettered == 1 && summary.delivered == 0)
        let dead = try await fixture.store.webhookDeliveries(status: .failed, limit: 10)
        try #require(dead.count == 1)
        #expect(dead[0].lastStatusCode == 503)
        healthy.withLock { $0 = true }
        #expect(try await fixture.store.replayWebhookEvent(id: dead[0].eventID, endpointID: nil) == 1)
        let replayed = try await fixture.worker().drain(timeout: .seconds(30))
        #expect(replayed.delivered == 1)
        #expect(receiver.received.last?.headers["webhook-id"] == dead[0].eventID)
        #expect(receiver.received.last?.headers["webhook-attempt"] == "1")
        #expect(try await fixture.store.webhookDeliveries(status: .failed, limit: 10).isEmpty)
        #expect(receiver.received.allSatisfy { $0.verified })
    }

    @Test("a worker that dies mid-delivery loses its lease; the event is delivered again later, never lost", arguments: StoreImplementation.all)
    func crashedWorker(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { _ in .init(status: 200) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                       secret: secret, idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore])
        // The dead worker leased the delivery (and may even have sent it) but never recorded the outcome.
        // The lease outlives the check below even on a loaded machine (a 1 s lease, then a 3 s one, once expired first).
        let leased = try await fixture.store.recordAndClaimWebhookDeliveries([], owner: "dead-worker", limit: 10, perEndpoint: 10, now: Date(),
                                                                    leaseEnds: Date().addingTimeInterval(8))
        #expect(leased.count == 1)
        let during = try await fixture.worker().drain(timeout: .milliseconds(100))
        #expect(during.attempts == 0, "a live lease keeps other workers off")
        let after = try await fixture.worker().drain(timeout: .seconds(30))
        #expect(after.delivered == 1)
        #expect(receiver.received.last?.headers["webhook-attempt"] == "2")
        // The dead worker's late report does not undo the delivery.
        try await fixture.store.recordWebhookResults([DeliveryResult(deliveryID: leased[0].id, attempt: WebhookAttempt(
            eventID: leased[0].event.id, endpointID: leased[0].endpoint.id, attempt: 1, startedAt: Date(), statusCode: nil,
            latencyMilliseconds: 1, error: "crashed", responseExcerpt: nil), next: .retry(at: Date()))], owner: "dead-worker")
        #expect(try await fixture.store.webhookDeliveries(status: .delivered, limit: 10).count == 1)
    }

    @Test("two workers on one database deliver each event once: leases keep them apart", arguments: StoreImplementation.all)
    func twoWorkers(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { _ in .init(status: 200, delay: .milliseconds(50)) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                       secret: secret, idempotencyKey: nil)
        for _ in 0..<60 { try await fixture.payment(through: [.submittedToCore]) }
        var settings = WebhookFixture.settings()
        // Each worker leases 5 at a time out of 10 slots, so while one waits on the slow receiver the
        // other claims the next ones: both work, neither may take what the other holds.
        settings.batchSize = 5
        settings.concurrencyPerEndpoint = 10
        var other = settings
        other.workerID = "second-worker"
        let (first, second) = (fixture.worker(settings), fixture.worker(other))
        async let a = first.drain(timeout: .seconds(30))
        async let b = second.drain(timeout: .seconds(30))
        let (one, two) = try await (a, b)
        #expect(one.delivered + two.delivered == 60)
        #expect(one.delivered > 0 && two.delivered > 0, "both workers took part")
        let ids = receiver.received.compactMap { $0.headers["webhook-id"] }
        #expect(ids.count == 60 && Set(ids).count == 60, "no event was sent twice")
    }

    @Test("events for one payment reach an endpoint in version order even when the first needs retries", arguments: StoreImplementation.all)
    func ordering(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let secret = StandardWebhooks.makeSecret()
        let receiver = try await TestReceiver(secrets: [secret]) { $0 < 2 ? .init(status: 500) : .init(status: 200) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiver.url, eventTypes: [],
                                                       secret: secret, idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore, .processing, .completed])
        let summary = try await fixture.worker().drain(timeout: .seconds(30))
        #expect(summary.delivered == 3)
        let versions = receiver.received.filter { $0.status == 200 }.compactMap {
            ((try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["data"] as? [String: Any])?["version"] as? Int
        }
        #expect(versions == [3, 4, 5])
        let attempted = receiver.received.compactMap {
            ((try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["data"] as? [String: Any])?["version"] as? Int
        }
        #expect(attempted == [3, 3, 3, 4, 5], "later versions wait while the first is retried")
        #expect(receiver.received.allSatisfy { $0.verified })
    }

    @Test("during a rotation both secrets sign: a receiver with either one verifies", arguments: StoreImplementation.all)
    func rotation(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let old = StandardWebhooks.makeSecret()
        let receiverOld = try await TestReceiver(secrets: [old]) { _ in .init(status: 200) }
        defer { Task { await receiverOld.stop() } }
        let (endpoint, _, _) = try await fixture.store.addWebhookEndpoint(merchantID: fixture.merchant.id, url: receiverOld.url,
                                                                          eventTypes: [], secret: old, idempotencyKey: nil)
        let new = StandardWebhooks.makeSecret()
        _ = try await fixture.store.rotateWebhookSecret(endpointID: endpoint.id, merchantID: nil, newSecret: new,
                                                        graceEnds: Date().addingTimeInterval(3_600), idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore])
        _ = try await fixture.worker().drain(timeout: .seconds(30))
        let delivery = try #require(receiverOld.received.first)
        #expect(delivery.verified)
        #expect(delivery.headers["webhook-signature"]?.split(separator: " ").count == 2)
        #expect((try? WebhookVerifier(secrets: [new]).verify(headers: delivery.headers, body: delivery.body)) != nil)
        // After the grace period only the new secret signs.
        let newest = StandardWebhooks.makeSecret()
        _ = try await fixture.store.rotateWebhookSecret(endpointID: endpoint.id, merchantID: nil, newSecret: newest,
                                                        graceEnds: Date().addingTimeInterval(-1), idempotencyKey: nil)
        try await fixture.payment(through: [.submittedToCore])
        let claimed = try await fixture.store.recordAndClaimWebhookDeliveries([], owner: "t", limit: 1, perEndpoint: 1, now: Date(),
                                                                     leaseEnds: Date().addingTimeInterval(60))
        #expect(claimed.first?.secrets == [newest])
    }

    @Test("by default loopback and private targets are refused, and recorded as failed attempts")
    func privateTargetsRefused() async throws {
        let policy = AddressPolicy()
        for host in ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "0.0.0.0", "100.64.0.1", "localhost"] {
            await #expect(throws: WebhookError.self, "\(host)") { try await policy.check(host: host) }
        }
        try await policy.check(host: "8.8.8.8")
        #expect(throws: WebhookError.self) { try policy.validate(url: "ftp://example.com/x") }
        #expect(throws: WebhookError.self) { try policy.validate(url: "http://user:pw@example.com/x") }

        let fixture = try await WebhookFixture()
        let receiver = try await TestReceiver(secrets: []) { _ in .init(status: 200) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.endpoint(receiver.url)
        try await fixture.payment(through: [.submittedToCore])
        var settings = WebhookFixture.settings(schedule: "50ms")
        settings.addressPolicy.allowPrivate = false
        let summary = try await fixture.worker(settings).drain(timeout: .seconds(2))
        #expect(summary.deadLettered == 1 && receiver.received.isEmpty)
        let eventID = try #require(try await fixture.store.webhookDeliveries(status: .failed, limit: 1).first?.eventID)
        #expect(try await fixture.store.webhookAttempts(eventID: eventID).first?.error?.contains("not a public address") == true)
    }

    @Test("an endpoint failing for longer than the limit is disabled", arguments: StoreImplementation.all)
    func failingTooLong(_ implementation: StoreImplementation) async throws {
        let fixture = try await WebhookFixture(implementation)
        let receiver = try await TestReceiver(secrets: []) { _ in .init(status: 500) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.endpoint(receiver.url)
        try await fixture.payment(through: [.submittedToCore])
        var settings = WebhookFixture.settings(schedule: "300ms,300ms,300ms,300ms")
        settings.disableAfter = .milliseconds(500)
        // A drain ends once the endpoint is disabled (nothing of it is due); the long timeout only serves a machine that stalls.
        let summary = try await fixture.worker(settings).drain(timeout: .seconds(30))
        #expect(summary.deadLettered == 0 && summary.pending == 1)
        let endpoint = try #require(try await fixture.store.webhookEndpoints(merchantID: nil).first)
        #expect(!endpoint.enabled && endpoint.disabledReason?.contains("failing") == true)
    }

    @Test("retry schedules parse and end; the standard one spans about three days")
    func schedules() {
        #expect(RetrySchedule(parsing: "1s,2s,4s")?.attempts == 4)
        #expect(RetrySchedule(parsing: "1s,,x") == nil)
        #expect(RetrySchedule(parsing: "250ms,5m,2h,1d")?.description == "250ms,5m,2h,1d")
        let total = RetrySchedule.standard.delays.reduce(Duration.zero, +)
        #expect(total > .seconds(3 * 86_400) && total < .seconds(4 * 86_400))
        #expect(RetrySchedule(parsing: "1s", jitter: 0)?.delay(after: 2) == nil)
    }
}
