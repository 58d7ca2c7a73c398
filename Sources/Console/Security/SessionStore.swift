import Foundation
import Payments

/// One person's signed-in browser: who, since when, and the token every form of theirs carries.
struct ConsoleSession: Sendable {
    /// SHA-256 of the cookie's token: the token itself is never kept.
    let key: String
    let operatorName: String
    /// The CSRF token of this session's forms.
    let csrf: String
    let createdAt: Date
    var lastSeen: Date
    /// What the last action said, shown once on the next page.
    var notice: Notice?

    struct Notice: Sendable {
        var text: String
        var isError: Bool
    }
}

/// Sessions, held by the serving process (a restart signs everyone out). The browser holds a random
/// token; this holds its SHA-256, so a memory dump names no live cookie. A session ends after
/// `idle` without a request, after `lifetime`, on sign-out, and when its operator's credentials or
/// standing change.
actor SessionStore {
    private var sessions: [String: ConsoleSession] = [:]
    private let idle: TimeInterval
    private let lifetime: TimeInterval

    init(idle: Duration, lifetime: Duration) {
        self.idle = TimeInterval(idle.components.seconds)
        self.lifetime = TimeInterval(lifetime.components.seconds)
    }

    /// A new session for `name`: the cookie's token, and the session.
    func start(operatorName name: String, at now: Date) -> (token: String, session: ConsoleSession) {
        let token = Self.randomToken()
        let session = ConsoleSession(key: Self.key(token), operatorName: name, csrf: Self.randomToken(), createdAt: now, lastSeen: now)
        sessions[session.key] = session
        // Expired sessions are dropped as new ones start, so the table never grows past the live ones.
        sessions = sessions.filter { isLive($0.value, at: now) }
        return (token, session)
    }

    /// The live session of `token`, its idle time restarted; nil when there is none or it expired.
    func session(token: String, at now: Date) -> ConsoleSession? {
        let key = Self.key(token)
        guard var session = sessions[key] else { return nil }
        guard isLive(session, at: now) else {
            sessions[key] = nil
            return nil
        }
        session.lastSeen = now
        sessions[key] = session
        return session
    }

    func end(key: String) { sessions[key] = nil }

    /// Ends every session of `name` but `keeping` (their password changed, they were disabled).
    func endAll(operatorName name: String, keeping: String? = nil) {
        sessions = sessions.filter { $0.value.operatorName != name || $0.key == keeping }
    }

    func setNotice(_ notice: ConsoleSession.Notice, key: String) { sessions[key]?.notice = notice }

    func takeNotice(key: String) -> ConsoleSession.Notice? {
        defer { sessions[key]?.notice = nil }
        return sessions[key]?.notice
    }

    private func isLive(_ session: ConsoleSession, at now: Date) -> Bool {
        now.timeIntervalSince(session.lastSeen) < idle && now.timeIntervalSince(session.createdAt) < lifetime
    }

    static func key(_ token: String) -> String { SHA256Digest.hex(Array(token.utf8)) }

    /// 32 random bytes, base64url: a cookie value and a form field as they are.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
