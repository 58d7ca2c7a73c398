import Foundation

/// What an operator tunes about delivery.
public struct WebhookSettings: Sendable {
    public var schedule: RetrySchedule = .standard
    public var connectTimeout: Duration = .seconds(5)
    /// Whole-request limit after connecting: a receiver that stalls longer counts as a failed attempt.
    public var requestTimeout: Duration = .seconds(10)
    /// Attempts in flight at once per endpoint.
    public var concurrencyPerEndpoint = 32
    /// Attempts in flight at once per worker, over all endpoints: the sliding window's size.
    public var batchSize = 256
    /// How often an idle worker looks for work (other processes enqueue events too).
    public var pollInterval: Duration = .milliseconds(250)
    /// An endpoint failing without a success for this long is disabled, with an alert in the log.
    public var disableAfter: Duration = .seconds(5 * 86_400)
    /// How long a rotated-out secret keeps signing.
    public var secretGracePeriod: Duration = .seconds(86_400)
    public var addressPolicy = AddressPolicy()
    /// Names this worker's leases; unique per process.
    public var workerID = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"

    public init() {}

    /// A lease outlives the longest attempt, so a live worker never loses one mid-request.
    var leaseDuration: Duration { connectTimeout + requestTimeout + .seconds(30) }
}
