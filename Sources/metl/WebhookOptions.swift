import ArgumentParser
import Foundation
import Payments
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
        var settings = WebhookSettings()
        if let text = value(retrySchedule, "METL_WEBHOOKS_RETRY_SCHEDULE") {
            guard let schedule = RetrySchedule(parsing: text) else {
                throw ConfigurationError(message: "the webhook retry schedule must be durations like 1s,2s,4s")
            }
            settings.schedule = schedule
        }
        settings.addressPolicy.allowPrivate = allowPrivate || value(nil, "METL_WEBHOOKS_ALLOW_PRIVATE") == "true"
        settings.requestTimeout = try duration(timeout, "METL_WEBHOOKS_TIMEOUT") ?? settings.requestTimeout
        settings.connectTimeout = try duration(connectTimeout, "METL_WEBHOOKS_CONNECT_TIMEOUT") ?? settings.connectTimeout
        settings.disableAfter = try duration(disableAfter, "METL_WEBHOOKS_DISABLE_AFTER") ?? settings.disableAfter
        if let text = value(concurrency.map(String.init), "METL_WEBHOOKS_CONCURRENCY") {
            guard let limit = Int(text), limit > 0 else { throw ConfigurationError(message: "the webhook concurrency must be positive") }
            settings.concurrencyPerEndpoint = limit
        }
        return settings
    }

    private func duration(_ flag: String?, _ variable: String) throws -> Duration? {
        guard let text = value(flag, variable) else { return nil }
        guard let duration = Duration(parsing: text) else {
            throw ConfigurationError(message: "$\(variable) must be a duration such as 10s, 5m or 5d")
        }
        return duration
    }
}
