import Foundation
import Payments
import Testing
import TestSupport

/// The store contract for the console's sessions: one instance starts a session and another on the
/// same database knows it, its use and its notice; sessions end one at a time or all of an operator's
/// but one; the ended are forgotten.
@Suite struct SessionContractTests {
    @Test(arguments: StoreImplementation.all)
    func aSessionIsSharedTouchedNoticedEndedAndPurged(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (a, b) = (try await database.open(), try await database.open())
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        func session(_ key: String, _ name: String, created: Date = start, seen: Date = start) -> OperatorSession {
            OperatorSession(key: key, operatorName: name, csrf: "csrf-" + key, createdAt: created, lastSeen: seen)
        }
        /// Which of `keys` the store still holds.
        func held(_ keys: [String]) async throws -> [String] {
            var found: [String] = []
            for key in keys where try await a.session(key: key) != nil { found.append(key) }
            return found
        }
        try await a.startSession(session("k1", "olga"))
        #expect(try await b.session(key: "k1") == session("k1", "olga"), "another server on the database knows it")
        #expect(try await b.session(key: "k0") == nil)
        try await b.touchSession(key: "k1", at: start.addingTimeInterval(120))
        #expect(try await a.session(key: "k1")?.lastSeen == start.addingTimeInterval(120))
        let notice = OperatorSession.Notice(text: "approved fil_1 (1 of 2)", isError: false)
        try await a.setSessionNotice(key: "k1", notice)
        #expect(try await b.session(key: "k1")?.notice == notice)
        try await b.setSessionNotice(key: "k1", nil)
        #expect(try await a.session(key: "k1")?.notice == nil)
        try await a.setSessionNotice(key: "k1", .init(text: "refused", isError: true))
        #expect(try await b.session(key: "k1")?.notice?.isError == true)

        // Olga's second browser, and April's: olga's password changes in k2, so k1 ends and k2 stays.
        try await a.startSession(session("k2", "olga"))
        try await a.startSession(session("k3", "april"))
        try await b.endSessions(operatorName: "olga", keeping: "k2")
        #expect(try await held(["k1", "k2", "k3"]) == ["k2", "k3"])
        try await b.endSessions(operatorName: "olga", keeping: nil)
        #expect(try await held(["k2", "k3"]) == ["k3"], "disabled: all of hers, no one else's")
        try await a.endSession(key: "k3")
        #expect(try await b.session(key: "k3") == nil)

        // Forgotten: one idle too long, one older than a session lives; a fresh one stays.
        try await a.startSession(session("idle", "olga", seen: start.addingTimeInterval(-3_600)))
        try await a.startSession(session("old", "olga", created: start.addingTimeInterval(-86_400), seen: start))
        try await a.startSession(session("fresh", "olga"))
        try await b.purgeSessions(lastSeenBefore: start.addingTimeInterval(-1_800), createdBefore: start.addingTimeInterval(-43_200))
        #expect(try await held(["idle", "old", "fresh"]) == ["fresh"])
    }

    @Test(arguments: StoreImplementation.all)
    func refusedSignInsAreCountedTogetherAndForgotten(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (a, b) = (try await database.open(), try await database.open())
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }
        for seconds in [0.0, 60, 120] { try await a.recordSignInRefusal(name: "olga", at: at(seconds), forgettingBefore: at(-900)) }
        try await b.recordSignInRefusal(name: "april", at: at(30), forgettingBefore: at(-900))
        #expect(try await b.signInRefusals(name: "olga", since: at(0)) == [at(0), at(60), at(120)], "another server counts them too")
        #expect(try await b.signInRefusals(name: "olga", since: at(60)) == [at(60), at(120)])
        // A refusal forgets every refusal before its window, whoever's.
        try await b.recordSignInRefusal(name: "mallory", at: at(1_000), forgettingBefore: at(100))
        #expect(try await a.signInRefusals(name: "olga", since: at(-86_400)) == [at(120)])
        #expect(try await a.signInRefusals(name: "april", since: at(-86_400)).isEmpty)
        try await a.clearSignInRefusals(name: "olga")
        #expect(try await b.signInRefusals(name: "olga", since: at(-86_400)).isEmpty)
        #expect(try await b.signInRefusals(name: "mallory", since: at(-86_400)) == [at(1_000)], "only the name that signed in is cleared")
    }

    /// The lock-out: `failures` refusals within the window lock the name until a window after the last.
    @Test func aNameIsLockedOutByEnoughRecentRefusals() {
        let rule = SignInLockout(failures: 3, window: .seconds(900))
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        #expect(rule.lockedUntil([start, start.addingTimeInterval(10)]) == nil)
        #expect(rule.lockedUntil([start, start.addingTimeInterval(10), start.addingTimeInterval(20)]) == start.addingTimeInterval(920))
        #expect(rule.counting(at: start) == start.addingTimeInterval(-900))
        #expect(SignInLockout.key("olga") != "olga" && SignInLockout.key("olga").count == 64, "stored hashed: a name field may hold a password")
    }

    /// Whether a session is live, and when its use is written, are the domain's to say.
    @Test func liveWithinItsIdleTimeAndLifetimeTouchedOnceAMinute() {
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let session = OperatorSession(key: "k", operatorName: "olga", csrf: "c", createdAt: start, lastSeen: start.addingTimeInterval(600))
        #expect(session.isLive(at: start.addingTimeInterval(600 + 1_799), idle: 1_800, lifetime: 43_200))
        #expect(!session.isLive(at: start.addingTimeInterval(600 + 1_800), idle: 1_800, lifetime: 43_200), "idle too long")
        #expect(!session.isLive(at: start.addingTimeInterval(43_200), idle: 86_400, lifetime: 43_200), "older than a session lives")
        #expect(!session.needsTouch(at: start.addingTimeInterval(659)) && session.needsTouch(at: start.addingTimeInterval(660)))
    }
}
