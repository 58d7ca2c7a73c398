import Foundation

/// The console's sign-in rule: a name refused `failures` times within `window` is locked out for
/// `window` from its last refusal, whatever is typed, so passwords cannot be guessed at speed; a
/// success clears the name's count. The refusals are stored (`OperatorSessionStore`), so every
/// server on one database counts them together.
public struct SignInLockout: Sendable, Hashable {
    public var failures: Int
    public var window: TimeInterval

    public init(failures: Int, window: Duration) {
        self.failures = max(1, failures)
        self.window = TimeInterval(window.components.seconds)
    }

    /// What a refusal is stored under: the SHA-256 of the name typed, which may be a password
    /// typed in the wrong field and is never stored as typed.
    public static func key(_ name: String) -> String { SHA256Digest.hex(Array(name.utf8)) }

    /// The refusals that still count at `now`: those within the window.
    public func counting(at now: Date) -> Date { now.addingTimeInterval(-window) }

    /// When the lock-out that `refusals` (oldest first, those still counting) make ends, if they make one.
    public func lockedUntil(_ refusals: [Date]) -> Date? {
        guard refusals.count >= failures, let last = refusals.last else { return nil }
        return last.addingTimeInterval(window)
    }
}
