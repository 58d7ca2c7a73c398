import ArgumentParser
import MetlConfiguration
import Webhooks

/// Delivery settings as flags, each with a `METL_WEBHOOKS_*` variable, shared by `serve` and `webhooks`.
struct WebhookOptions: ParsableArguments {
    @Option(name: .customLong("webhooks-retry-schedule"),
            help: "Waits between attempts, e.g. 5s,5m,30m ($METL_WEBHOOKS_RETRY_SCHEDULE; default \(RetrySchedule.standard)).")
    var retrySchedule: String?
    @Flag(name: .customLong("webhooks-allow-private"),
          help: "Allow loopback and private targets ($METL_WEBHOOKS_ALLOW_PRIVATE=true); by default only public addresses.")
    var allowPrivate = false
    @Option(name: .customLong("webhooks-timeout"), help: "Per-attempt limit, e.g. 10s ($METL_WEBHOOKS_TIMEOUT).") var timeout: String?
    @Option(name: .customLong("webhooks-connect-timeout"), help: "Connect limit, e.g. 5s ($METL_WEBHOOKS_CONNECT_TIMEOUT).")
    var connectTimeout: String?
    @Option(name: .customLong("webhooks-concurrency"), help: "Attempts in flight per endpoint ($METL_WEBHOOKS_CONCURRENCY; default 32).")
    var concurrency: Int?
    @Option(name: .customLong("webhooks-disable-after"),
            help: "Disable an endpoint failing this long without a success ($METL_WEBHOOKS_DISABLE_AFTER; default 5d).")
    var disableAfter: String?

    func settings() throws -> WebhookSettings {
        try WebhookFlags(retrySchedule: retrySchedule, allowPrivate: allowPrivate, timeout: timeout, connectTimeout: connectTimeout,
                         concurrency: concurrency, disableAfter: disableAfter).settings(layers: .process)
    }
}
