import Foundation
import Payments
import Testing
import TestSupport

/// The store contract for alerts: one open alert per code and key however many raise it at once,
/// a message owed per routed channel for its trigger and its resolution, acknowledgement once, and
/// messages claimed under leases so that one worker sends each.
@Suite struct AlertContractTests {
    /// Every warning to ops; cutoff failures to the pager as well (ops named twice, sent once).
    static let routing = AlertRouting(routes: [
        .init(codes: nil, minimumSeverity: .warning, channels: ["ops"]),
        .init(codes: [.cutoffFailed], minimumSeverity: .critical, channels: ["pager", "ops"]),
    ])

    @Test(arguments: StoreImplementation.all)
    func anAlertIsRaisedOnceSeenAgainAcknowledgedAndResolved(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try await store.raise(.cutoffFailed, key: "primary", summary: "the sshd is down", routing: Self.routing, at: now)
        #expect(first.raised && first.alert.count == 1 && first.alert.status == .open && first.alert.severity == .critical)
        let again = try await store.raise(.cutoffFailed, key: "primary", summary: "still down", routing: Self.routing,
                                          at: now.addingTimeInterval(60))
        #expect(!again.raised && again.alert.id == first.alert.id && again.alert.count == 2 && again.alert.summary == "still down")
        let other = try await store.raise(.bankFileQuarantined, key: "inb_1", summary: "not NACHA", routing: Self.routing, at: now)
        #expect(other.raised && other.alert.id != first.alert.id)
        #expect(try await store.raiseAlert(Alert.raising(.test, key: "ops", summary: "info only", at: now), notifying: []).raised)

        let messages = try await store.alertNotifications(alertID: first.alert.id)
        #expect(Set(messages.map(\.channel)) == ["pager", "ops"] && messages.count == 2
                && messages.allSatisfy { $0.event == .trigger && $0.status == .pending })
        #expect(try await store.alertNotifications(alertID: other.alert.id).map(\.channel) == ["ops"])

        let stored = try await store.alert(id: first.alert.id)
        #expect(stored.count == 2 && stored.lastSeenAt == now.addingTimeInterval(60) && stored.raisedAt == now)
        await #expect { _ = try await store.alert(id: "alr_none") } throws: { ($0 as? PaymentError)?.code == .notFound }
        #expect(try await store.alerts(openOnly: true, code: nil, limit: 10).count == 3)
        #expect(try await store.alerts(openOnly: true, code: .cutoffFailed, limit: 10).map(\.id) == [first.alert.id])

        let taken = try await store.acknowledgeAlert(id: first.alert.id, by: "olga", at: now.addingTimeInterval(90))
        let late = try await store.acknowledgeAlert(id: first.alert.id, by: "alice", at: now.addingTimeInterval(95))
        #expect(taken.acknowledgedBy == "olga" && late.acknowledgedBy == "olga" && late.acknowledgedAt == now.addingTimeInterval(90))
        await #expect { _ = try await store.acknowledgeAlert(id: "alr_none", by: "olga", at: now) } throws: { ($0 as? PaymentError)?.code == .notFound }

        let resolved = try #require(try await store.resolve(.cutoffFailed, key: "primary", routing: Self.routing, at: now.addingTimeInterval(120)))
        #expect(resolved.status == .resolved && resolved.resolvedAt == now.addingTimeInterval(120))
        #expect(try await store.resolveAlert(id: first.alert.id, at: now, notifying: ["ops"]) == nil, "resolved once")
        #expect(Set(try await store.alertNotifications(alertID: first.alert.id).filter { $0.event == .resolve }.map(\.channel)) == ["pager", "ops"])
        // Raised again after its resolution: a new alert.
        let anew = try await store.raise(.cutoffFailed, key: "primary", summary: "down again", routing: Self.routing, at: now.addingTimeInterval(300))
        #expect(anew.raised && anew.alert.id != first.alert.id)
        #expect(try await store.alerts(openOnly: false, code: .cutoffFailed, limit: 10).map(\.id) == [anew.alert.id, first.alert.id])

        // Settling a condition: the current keys stay open, the others resolve.
        _ = try await store.raise(.bankFileQuarantined, key: "inb_2", summary: "empty", routing: Self.routing, at: now)
        let settled = try await store.settle(.bankFileQuarantined, current: ["inb_2": "empty", "inb_3": "truncated"], routing: Self.routing,
                                             at: now.addingTimeInterval(400))
        #expect(settled.raised.map(\.key) == ["inb_3"] && settled.resolved.map(\.key) == ["inb_1"])
        #expect(Set(try await store.alerts(openOnly: true, code: .bankFileQuarantined, limit: 10).map(\.key)) == ["inb_2", "inb_3"])
    }

    @Test(arguments: StoreImplementation.all)
    func messagesAreClaimedUnderLeasesAndRecorded(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let raised = try await store.raise(.cutoffFailed, key: "primary", summary: "down", routing: Self.routing, at: now)
        let first = try await store.claimAlertNotifications(owner: "worker-a", now: now, leaseUntil: now.addingTimeInterval(60), limit: 1)
        let second = try await store.claimAlertNotifications(owner: "worker-b", now: now, leaseUntil: now.addingTimeInterval(60), limit: 5)
        #expect(first.count == 1 && second.count == 1 && first[0].id != second[0].id, "each message goes to one worker")
        #expect(try await store.claimAlertNotifications(owner: "worker-c", now: now, leaseUntil: now.addingTimeInterval(60), limit: 5).isEmpty)
        // Another owner's record is ignored; the owner's counts.
        try await store.recordAlertNotification(id: first[0].id, owner: "worker-b", status: .sent, retryAt: nil, error: nil)
        try await store.recordAlertNotification(id: first[0].id, owner: "worker-a", status: .sent, retryAt: nil, error: nil)
        try await store.recordAlertNotification(id: second[0].id, owner: "worker-b", status: .pending, retryAt: now.addingTimeInterval(30),
                                                error: "HTTP 503")
        let messages = Dictionary(uniqueKeysWithValues: try await store.alertNotifications(alertID: raised.alert.id).map { ($0.id, $0) })
        #expect(messages[first[0].id]?.status == .sent && messages[first[0].id]?.attempts == 1)
        #expect(messages[second[0].id]?.status == .pending && messages[second[0].id]?.lastError == "HTTP 503")
        #expect(try await store.claimAlertNotifications(owner: "worker-c", now: now.addingTimeInterval(10), leaseUntil: now.addingTimeInterval(70),
                                                        limit: 5).isEmpty, "not due before its retry time")
        let retried = try await store.claimAlertNotifications(owner: "worker-c", now: now.addingTimeInterval(31), leaseUntil: now.addingTimeInterval(90), limit: 5)
        #expect(retried.map(\.id) == [second[0].id] && retried[0].attempts == 1)
        try await store.recordAlertNotification(id: second[0].id, owner: "worker-c", status: .failed, retryAt: nil, error: "gave up")
        #expect(try await store.claimAlertNotifications(owner: "worker-d", now: now.addingTimeInterval(999), leaseUntil: now.addingTimeInterval(999),
                                                        limit: 5).isEmpty, "sent and failed messages are never claimed again")
        // A lease that runs out lets another worker take the message.
        let third = try await store.raise(.bankFileQuarantined, key: "inb_1", summary: "x", routing: Self.routing, at: now)
        let leased = try await store.claimAlertNotifications(owner: "dead", now: now, leaseUntil: now.addingTimeInterval(5), limit: 5)
        #expect(leased.map(\.alertID) == [third.alert.id])
        #expect(try await store.claimAlertNotifications(owner: "alive", now: now.addingTimeInterval(6), leaseUntil: now.addingTimeInterval(60),
                                                        limit: 5).map(\.id) == leased.map(\.id))
    }

    @Test(arguments: StoreImplementation.all)
    func raisingsRacingEachOtherMakeOneAlert(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        var stores: [any LedgerStore] = []
        for _ in 0..<4 { stores.append(try await database.open()) }
        let now = Date()
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                let store = stores[index % stores.count]
                group.addTask {
                    try await store.raise(.deadLetters, key: "all", summary: "20 dead letters", routing: Self.routing, at: now).raised
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let open = try await stores[0].alerts(openOnly: true, code: .deadLetters, limit: 10)
        #expect(open.count == 1 && open.first?.count == 20)
        #expect(try await stores[0].alertNotifications(alertID: open[0].id).count == 1)
    }
}
