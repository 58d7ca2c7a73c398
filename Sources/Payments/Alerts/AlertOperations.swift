import Foundation

/// Raising and clearing alerts, once for every store: which channels hear an alert is the
/// routing's to say; a condition's current keys decide which of its alerts stay open.
extension AlertStore {
    /// Raises `code` for `key` (or sees it again), owing a trigger to the channels `routing` names.
    @discardableResult
    public func raise(_ code: AlertCode, key: String, summary: String, routing: AlertRouting, at now: Date) async throws -> (alert: Alert, raised: Bool) {
        try await raiseAlert(Alert.raising(code, key: key, summary: summary, at: now), notifying: routing.channels(for: code, severity: code.severity))
    }

    /// Resolves the open alert of `code` and `key`, when there is one.
    @discardableResult
    public func resolve(_ code: AlertCode, key: String, routing: AlertRouting, at now: Date) async throws -> Alert? {
        try await resolveOpen(code, routing: routing, at: now) { $0.key == key }.first
    }

    /// Resolves the open alerts of `code` raised before `cutoff`: news that no later state clears
    /// (a rejection, a discrepancy), left open long enough for someone to see it.
    @discardableResult
    public func resolve(_ code: AlertCode, raisedBefore cutoff: Date, routing: AlertRouting, at now: Date) async throws -> [Alert] {
        try await resolveOpen(code, routing: routing, at: now) { $0.raisedAt < cutoff }
    }

    /// Makes the open alerts of `code` those of `current` (key to summary): each raised or seen
    /// again, and every other open one of the code resolved, its condition cleared.
    public func settle(_ code: AlertCode, current: [String: String], routing: AlertRouting,
                       at now: Date) async throws -> (raised: [Alert], resolved: [Alert]) {
        var raised: [Alert] = []
        for (key, summary) in current.sorted(by: { $0.key < $1.key }) {
            let outcome = try await raise(code, key: key, summary: summary, routing: routing, at: now)
            if outcome.raised { raised.append(outcome.alert) }
        }
        return (raised, try await resolveOpen(code, routing: routing, at: now) { current[$0.key] == nil })
    }

    /// Resolves each open alert of `code` that `cleared` says is over, owing its resolution to the
    /// channels `routing` names; returns those this call resolved (not one a racer resolved first).
    private func resolveOpen(_ code: AlertCode, routing: AlertRouting, at now: Date,
                             where cleared: (Alert) -> Bool) async throws -> [Alert] {
        var resolved: [Alert] = []
        for open in try await alerts(openOnly: true, code: code, limit: Int.max) where cleared(open) {
            if let done = try await resolveAlert(id: open.id, at: now, notifying: routing.channels(for: code, severity: open.severity)) {
                resolved.append(done)
            }
        }
        return resolved
    }
}
