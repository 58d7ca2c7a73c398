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
                          _ body: () async throws -> T) async throws -> T {
        let run = AuditedRun(store: store, actor: actor, job: job, checkpoints: archive.map(AuditCheckpoints.init),
                             key: try settings.auditSigningKey(nil, layers: .process), logger: logger)
        await run.started(configurationDigest: settings.configurationDigest, at: Date())
        let result: T
        do {
            result = try await body()
        } catch {
            await publish(await run.ended("exit \(ExitStatus.for(error).code)", at: Date()), settings: settings, logger: logger)
            throw error
        }
        await publish(await run.ended("exit 0", at: Date()), settings: settings, logger: logger)
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
