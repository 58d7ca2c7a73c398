import Foundation

/// Storage for the console's sessions. It keeps and returns them; whether one is live is
/// `OperatorSession.isLive`'s to say.
public protocol OperatorSessionStore: Sendable {
    /// Records a new session.
    func startSession(_ session: OperatorSession) async throws
    /// The session with this key, live or not; nil when there is none.
    func session(key: String) async throws -> OperatorSession?
    /// Records that the session was used at `at`.
    func touchSession(key: String, at: Date) async throws
    /// Sets, or with nil clears, the notice the session's next page shows.
    func setSessionNotice(key: String, _ notice: OperatorSession.Notice?) async throws
    /// Ends one session.
    func endSession(key: String) async throws
    /// Ends every session of `operatorName` but `keeping` (their password changed, they were disabled).
    func endSessions(operatorName: String, keeping: String?) async throws
    /// Forgets the sessions last used before `lastSeenBefore` or started before `createdBefore`.
    func purgeSessions(lastSeenBefore: Date, createdBefore: Date) async throws
}
