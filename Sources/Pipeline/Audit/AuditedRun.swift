import Foundation
import Logging
import Payments

/// A scheduled job's run in the audit log: an entry when it starts (with the configuration's
/// digest) and one when it ends (with its outcome), then, when metl has a signing key, a signed
/// checkpoint of the head in the archive. Recording never stops the job: a failure to record is logged.
public struct AuditedRun: Sendable {
    public let store: any AuditStore
    public let actor: Actor
    public let job: String
    public let checkpoints: AuditCheckpoints?
    public let key: AuditSigningKey?
    public let logger: Logger

    public init(store: any AuditStore, actor: Actor, job: String, checkpoints: AuditCheckpoints?, key: AuditSigningKey?, logger: Logger) {
        self.store = store
        self.actor = actor
        self.job = job
        self.checkpoints = checkpoints
        self.key = key
        self.logger = logger
    }

    public func started(configurationDigest: String?, at now: Date) async {
        await record(.jobStarted, detail: "\(job); configuration sha256 \(configurationDigest ?? "none (flags and variables)")", at: now)
    }

    /// The end of the run, `outcome` its summary (its exit status), then the checkpoint, returned when written.
    @discardableResult
    public func ended(_ outcome: String, at now: Date) async -> AuditCheckpoint? {
        await record(.jobEnded, detail: "\(job): \(outcome)", at: now)
        guard let key, let checkpoints else { return nil }
        do {
            if let written = try await checkpoints.write(store, key: key, at: now) {
                // The signed head in the job's log too: under systemd the journal (and syslog) keep a copy off the database.
                let checkpoint = written.checkpoint
                logger.notice("audit checkpoint", metadata: ["path": "\(written.path)", "sequence": "\(checkpoint.sequence)", "hash": "\(checkpoint.hash)",
                                                             "at": "\(checkpoint.at)", "public_key": "\(checkpoint.publicKey)",
                                                             "signature": "\(checkpoint.signature)"])
                return checkpoint
            }
        } catch {
            logger.error("could not write the audit checkpoint", metadata: ["error": "\(error)"])
        }
        return nil
    }

    private func record(_ action: AuditAction, detail: String, at now: Date) async {
        do {
            _ = try await store.appendAudit(AuditRecord(actor: actor, action: action, detail: detail), at: now)
        } catch {
            logger.error("could not append to the audit log", metadata: ["action": "\(action.rawValue)", "error": "\(error)"])
        }
    }
}
