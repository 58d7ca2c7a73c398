import Foundation

/// Storage for the console's sessions and its refused sign-ins. It keeps and returns them; whether
/// a session is live is `OperatorSession.isLive`'s to say, whether a name is locked out `SignInLockout`'s.
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

    /// Records a refused sign-in of `name` at `at`, and forgets every refusal (of any name) before
    /// `forgettingBefore`.
    func recordSignInRefusal(name: String, at: Date, forgettingBefore: Date) async throws
    /// The refused sign-ins of `name` at or after `since`, oldest first.
    func signInRefusals(name: String, since: Date) async throws -> [Date]
    /// Forgets the refused sign-ins of `name` (it signed in).
    func clearSignInRefusals(name: String) async throws
}
