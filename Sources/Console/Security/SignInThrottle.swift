import Foundation
import Payments

/// Sign-in throttling (`SignInLockout`) over the refusals the store keeps, under each name's
/// SHA-256: every server on one database counts a name's refusals together, and a restart forgets
/// none of them.
struct SignInThrottle: Sendable {
    let store: any OperatorSessionStore
    let rule: SignInLockout

    /// When `name`'s lock-out ends, while it is locked out.
    func lockedUntil(_ name: String, at now: Date) async throws -> Date? {
        rule.lockedUntil(try await store.signInRefusals(name: SignInLockout.key(name), since: rule.counting(at: now)))
    }

    /// Counts a refusal; the lock-out's end when the name is now locked out.
    func refused(_ name: String, at now: Date) async throws -> Date? {
        try await store.recordSignInRefusal(name: SignInLockout.key(name), at: now, forgettingBefore: rule.counting(at: now))
        return try await lockedUntil(name, at: now)
    }

    func succeeded(_ name: String) async throws { try await store.clearSignInRefusals(name: SignInLockout.key(name)) }
}
