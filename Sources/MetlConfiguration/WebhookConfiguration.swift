import Webhooks

/// Webhook delivery settings as flags (nil: not given), each with a `METL_WEBHOOKS_*` variable.
public struct WebhookFlags: Sendable {
    public var retrySchedule: String?
    public var allowPrivate = false
    public var timeout: String?
    public var connectTimeout: String?
    public var concurrency: Int?
    public var disableAfter: String?

    public init(retrySchedule: String? = nil, allowPrivate: Bool = false, timeout: String? = nil, connectTimeout: String? = nil,
                concurrency: Int? = nil, disableAfter: String? = nil) {
        self.retrySchedule = retrySchedule
        self.allowPrivate = allowPrivate
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.concurrency = concurrency
        self.disableAfter = disableAfter
    }

    /// The delivery settings, every problem at once.
    public func settings(layers: Layers) throws(ConfigurationError) -> WebhookSettings {
        var settings = WebhookSettings()
        var problems = ProblemList()
        if let text = layers.value(retrySchedule, "METL_WEBHOOKS_RETRY_SCHEDULE") {
            if let schedule = RetrySchedule(parsing: text) {
                settings.schedule = schedule
            } else {
                problems.add(.invalidValue, "--webhooks-retry-schedule (or $METL_WEBHOOKS_RETRY_SCHEDULE) must be durations like 1s,2s,4s")
            }
        }
        settings.addressPolicy.allowPrivate = layers.isOn(allowPrivate, "METL_WEBHOOKS_ALLOW_PRIVATE")
        for (flag, variable, option, setting) in [(timeout, "METL_WEBHOOKS_TIMEOUT", "--webhooks-timeout", \WebhookSettings.requestTimeout),
                                                  (connectTimeout, "METL_WEBHOOKS_CONNECT_TIMEOUT", "--webhooks-connect-timeout", \.connectTimeout),
                                                  (disableAfter, "METL_WEBHOOKS_DISABLE_AFTER", "--webhooks-disable-after", \.disableAfter)] {
            if let duration = problems.collect({ try layers.duration(flag, variable, option) }), let duration { settings[keyPath: setting] = duration }
        }
        if let limit = problems.collect({ try layers.positive(concurrency, "METL_WEBHOOKS_CONCURRENCY", "--webhooks-concurrency") }), let limit {
            settings.concurrencyPerEndpoint = limit
        }
        try problems.check()
        return settings
    }
}
