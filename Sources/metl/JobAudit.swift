import ArgumentParser
import Foundation
import Logging
import MetlConfiguration
import Payments
import Pipeline
import Webhooks

/// A scheduled job's run recorded in the audit log (`AuditedRun`): its start with the
/// configuration's digest, its end with its exit status, and a signed checkpoint when metl has an
/// audit key (`METL_AUDIT_KEY_FILE`, `audit.signing_key_file`).
enum JobAudit {
    /// `archive` nil: a job with no archive directory of its own (a webhook worker on PostgreSQL) signs no checkpoint.
    static func around<T>(_ job: String, actor: Actor, store: any LedgerStore, settings: Settings, archive: Archive?, logger: Logger,
                          metrics: MetricsOptions? = nil, counts: @Sendable () -> [(name: String, value: Int, help: String)] = { [] },
                          _ body: () async throws -> T) async throws -> T {
        let run = AuditedRun(store: store, actor: actor, job: job, checkpoints: archive.map(AuditCheckpoints.init),
                             key: try settings.auditSigningKey(nil, layers: .process), logger: logger)
        let started = Date()
        await run.started(configurationDigest: settings.configurationDigest, at: started)
        let result: T
        do {
            result = try await body()
        } catch {
            await publish(await run.ended("exit \(ExitStatus.for(error).code)", at: Date()), settings: settings, logger: logger)
            metrics?.write(JobMetrics(job: job, started: started, ended: Date(), succeeded: false, counts: counts()),
                           logger: logger)
            throw error
        }
        await publish(await run.ended("exit 0", at: Date()), settings: settings, logger: logger)
        metrics?.write(JobMetrics(job: job, started: started, ended: Date(), succeeded: true, counts: counts()), logger: logger)
        return result
    }

    /// Sends `checkpoint` to the configured receiver, if any; a failure is logged, never the run's.
    private static func publish(_ checkpoint: AuditCheckpoint?, settings: Settings, logger: Logger) async {
        guard let checkpoint, let url = settings.auditCheckpointURL(layers: .process) else { return }
        do {
            try await CheckpointPublisher(url: url).publish(checkpoint)
        } catch {
            logger.error("ALERT the audit checkpoint was not delivered", metadata: ["url": "\(url)", "error": "\(error.message)"])
        }
    }
}

/// `--metrics-file PATH` (or `METL_METRICS_FILE`): where a job writes its run for node_exporter's
/// textfile collector. Each unit names its own file (`…/metl_cutoff.prom`).
struct MetricsOptions: ParsableArguments {
    @Option(help: "Write this run's Prometheus metrics to this file, atomically ($METL_METRICS_FILE).") var metricsFile: String?

    var path: String? { metricsFile ?? Layers.process.value(nil, "METL_METRICS_FILE") }

    /// Writes `metrics` when a file is named; a failure is logged, never the run's.
    func write(_ metrics: JobMetrics, logger: Logger) {
        guard let path else { return }
        do {
            try metrics.write(to: path)
        } catch {
            logger.error("ALERT the job's metrics file was not written", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
