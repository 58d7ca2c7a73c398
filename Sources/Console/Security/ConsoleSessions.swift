import Foundation
import Payments

/// Sessions, kept in the store so that every `metl serve` on one database knows them and a restart
/// signs no one out. The browser holds a random token; the store holds its SHA-256, so the
/// database names no live cookie. A session ends after `idle` without a request, after `lifetime`,
/// on sign-out, and when its operator's credentials or standing change (`OperatorSession.isLive`).
struct ConsoleSessions: Sendable {
    let store: any OperatorSessionStore
    let idle: TimeInterval
    let lifetime: TimeInterval

    init(store: any OperatorSessionStore, idle: Duration, lifetime: Duration) {
        self.store = store
        self.idle = TimeInterval(idle.components.seconds)
        self.lifetime = TimeInterval(lifetime.components.seconds)
    }

    /// A new session for `name`: the cookie's token, and the session.
    func start(operatorName name: String, at now: Date) async throws -> (token: String, session: OperatorSession) {
        let token = Self.randomToken()
        let session = OperatorSession(key: Self.key(token), operatorName: name, csrf: Self.randomToken(), createdAt: now, lastSeen: now)
        try await store.startSession(session)
        // Ended sessions are forgotten as new ones start, so the table holds little more than the live ones.
        try await store.purgeSessions(lastSeenBefore: now.addingTimeInterval(-idle), createdBefore: now.addingTimeInterval(-lifetime))
        return (token, session)
    }

    /// The live session of `token`, its use recorded; nil when there is none or it ended.
    func session(token: String, at now: Date) async throws -> OperatorSession? {
        guard var session = try await store.session(key: Self.key(token)) else { return nil }
        guard session.isLive(at: now, idle: idle, lifetime: lifetime) else {
            try await store.endSession(key: session.key)
            return nil
        }
        if session.needsTouch(at: now) {
            try await store.touchSession(key: session.key, at: now)
            session.lastSeen = now
        }
        return session
    }

    func end(key: String) async throws { try await store.endSession(key: key) }

    /// Ends every session of `name` but `keeping` (their password changed, they were disabled).
    func endAll(operatorName name: String, keeping: String? = nil) async throws {
        try await store.endSessions(operatorName: name, keeping: keeping)
    }

    func setNotice(_ notice: OperatorSession.Notice, key: String) async throws { try await store.setSessionNotice(key: key, notice) }

    /// The notice `session` carried when it was read, cleared so that it shows once.
    func takeNotice(of session: OperatorSession) async throws -> OperatorSession.Notice? {
        guard let notice = session.notice else { return nil }
        try await store.setSessionNotice(key: session.key, nil)
        return notice
    }

    static func key(_ token: String) -> String { SHA256Digest.hex(Array(token.utf8)) }

    /// 32 random bytes, base64url: a cookie value and a form field as they are.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
