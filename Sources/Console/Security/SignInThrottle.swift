import Foundation

/// Sign-in throttling: a name refused `failures` times within `lockout` is locked out for
/// `lockout` from the last refusal, whatever is typed, so passwords cannot be guessed at speed. A
/// success clears the name's count. Held by the serving process.
actor SignInThrottle {
    private var refusals: [String: [Date]] = [:]
    private let failures: Int
    private let lockout: TimeInterval

    init(failures: Int, lockout: Duration) {
        self.failures = max(1, failures)
        self.lockout = TimeInterval(lockout.components.seconds)
    }

    /// When `name`'s lock-out ends, while it is locked out.
    func lockedUntil(_ name: String, at now: Date) -> Date? {
        let recent = (refusals[name] ?? []).filter { now.timeIntervalSince($0) < lockout }
        refusals[name] = recent.isEmpty ? nil : recent
        guard recent.count >= failures, let last = recent.last else { return nil }
        return last.addingTimeInterval(lockout)
    }

    /// Counts a refusal; the lock-out's end when this one locks the name out.
    func refused(_ name: String, at now: Date) -> Date? {
        var recent = (refusals[name] ?? []).filter { now.timeIntervalSince($0) < lockout }
        recent.append(now)
        // Only the last `failures` matter; a flood of refusals keeps no more.
        refusals[name] = Array(recent.suffix(failures))
        return recent.count >= failures ? now.addingTimeInterval(lockout) : nil
    }

    func succeeded(_ name: String) { refusals[name] = nil }
}
