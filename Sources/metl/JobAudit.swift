import Foundation
import Logging
import MetlConfiguration
import Payments
import Pipeline

/// A scheduled job's run recorded in the audit log (`AuditedRun`): its start with the
/// configuration's digest, its end with its exit status, and a signed checkpoint when metl has an
/// audit key (`METL_AUDIT_KEY_FILE`, `audit.signing_key_file`).
enum JobAudit {
    static func around<T>(_ job: String, actor: Actor, store: any LedgerStore, settings: Settings, archive: Archive, logger: Logger,
                          _ body: () async throws -> T) async throws -> T {
        let run = AuditedRun(store: store, actor: actor, job: job, checkpoints: AuditCheckpoints(archive: archive),
                             key: try settings.auditSigningKey(nil, layers: .process), logger: logger)
        await run.started(configurationDigest: settings.configurationDigest, at: Date())
        do {
            let result = try await body()
            await run.ended("exit 0", at: Date())
            return result
        } catch {
            await run.ended("exit \(ExitStatus.for(error).code)", at: Date())
            throw error
        }
    }
}
