import Console
import Foundation
import Logging
import Payments
import Pipeline

extension Settings {
    /// The console's configuration on `store`: the archive, the secrets key (TOTP), the audit key,
    /// the profiles' windows and, when the cutoff's settings resolve, the cutoffs a failed file is
    /// retried through (else the reason they do not, shown on a refused retry).
    public func console(_ serve: ServeConfiguration, store: any LedgerStore, layers: Layers, logger: Logger) throws -> ConsoleConfiguration {
        var configuration = ConsoleConfiguration()
        configuration.sessionIdle = serve.sessionIdle
        configuration.secure = serve.tls != nil
        // With PostgreSQL and no archive named, this server has no archive: the pages say so and
        // downloads and checks are refused, but the console runs.
        configuration.archive = (try? archiveDirectory(nil, layers: layers)).map { Archive(root: $0) }
        configuration.secrets = try secretsKey(nil, layers: layers)
        configuration.auditKey = try auditSigningKey(nil, layers: layers)
        configuration.schedules = profiles.map { ($0.name, $0.schedule) }
        configuration.alertRouting = alerts.routing
        do {
            configuration.cutoffs = try cutoffs(CutoffFlags(), sending: true, layers: layers, logger: logger)
                .map { CutoffJob(settings: $0, store: store, logger: logger, now: clock) }
        } catch {
            configuration.cutoffsUnavailable = "the cutoff's settings do not resolve on this server: \(error)"
        }
        configuration.clock = clock
        return configuration
    }
}
