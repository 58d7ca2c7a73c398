import Foundation

/// Storage for alerts and the messages owed to channels about them.
public protocol AlertStore: Sendable {
    /// Raises `alert` unless an open alert of its code and key exists: then that one is seen again
    /// (its count and last-seen time move, no message is owed) and returned with `raised` false.
    /// A new one is stored with a trigger message owed to each of `channels`, in one write.
    func raiseAlert(_ alert: Alert, notifying channels: [String]) async throws -> (alert: Alert, raised: Bool)
    /// Resolves the open alert `id` at `now` with a resolve message owed to each of `channels`;
    /// nil when it is not open (already resolved, or racing another resolution).
    func resolveAlert(id: String, at now: Date, notifying channels: [String]) async throws -> Alert?
    /// Alerts, newest first: only open ones when `openOnly`; of one code when `code` is given.
    func alerts(openOnly: Bool, code: AlertCode?, limit: Int) async throws -> [Alert]
    /// The alert `id`; `notFound` when there is none.
    func alert(id: String) async throws -> Alert
    /// Records who took alert `id`, once: a second acknowledgement keeps the first.
    func acknowledgeAlert(id: String, by person: String, at now: Date) async throws -> Alert
    /// The messages owed about `alertID`, oldest first.
    func alertNotifications(alertID: String) async throws -> [AlertNotification]
    /// Up to `limit` pending messages due at `now`, each leased to `owner` until `leaseUntil` so
    /// that no other worker sends it meanwhile.
    func claimAlertNotifications(owner: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [AlertNotification]
    /// Records a delivery attempt of `id` by `owner`: sent, due again at `retryAt`, or failed for good.
    func recordAlertNotification(id: String, owner: String, status: AlertNotification.Status, retryAt: Date?, error: String?) async throws
}
