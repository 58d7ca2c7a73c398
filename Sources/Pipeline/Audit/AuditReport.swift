import Foundation
import Payments

/// A whole verification of what an auditor relies on: the log's chain and every entry's rows
/// recomputed, the head against the latest (or a given) signed checkpoint, and every archived
/// outbound and bank file against the SHA-256 the ledger holds. `metl audit verify` prints it;
/// the console shows it.
public struct AuditReport: Encodable, Sendable {
    public var chain: AuditVerification
    @Nullable public var checkpoint: CheckpointUsed?
    public var filesChecked: Int
    public var fileFindings: [String]
    public var holds: Bool

    public struct CheckpointUsed: Encodable, Sendable {
        public var path: String, sequence: Int64, signedByThisKey: Bool?, signatureValid: Bool
        enum CodingKeys: String, CodingKey { case path, sequence, signedByThisKey = "signed_by_this_key", signatureValid = "signature_valid" }
    }

    enum CodingKeys: String, CodingKey { case chain, checkpoint, filesChecked = "files_checked", fileFindings = "file_findings", holds }

    /// Verifies `store` against the checkpoint at `checkpointPath` (default: the archive's latest),
    /// trusting `key`'s public key when given. `progress` hears the entries verified so far.
    public static func verify(_ store: any LedgerStore, archive: Archive, key: AuditSigningKey?, checkpointPath: String? = nil,
                              progress: @Sendable (Int64) -> Void = { _ in }) async throws -> AuditReport {
        let found = try checkpointPath.map { ($0, try AuditCheckpoints.read($0)) } ?? (try AuditCheckpoints(archive: archive).latest())
        var used: CheckpointUsed?
        var findings: [String] = []
        if let (path, checkpoint) = found {
            let trusted = key.map { checkpoint.isValid(trusting: $0.publicKey) }
            used = CheckpointUsed(path: path, sequence: checkpoint.sequence, signedByThisKey: trusted, signatureValid: checkpoint.isValid())
            if !checkpoint.isValid() { findings.append("\(path): the signature does not hold") }
            if trusted == false { findings.append("\(path): not signed by metl's audit key") }
        }
        let chain = try await store.verifyAuditLog(checkpoint: found.map { ($0.1.sequence, $0.1.hash) }, progress: progress)
        // The archive: every file metl sent or received, against the SHA-256 the ledger holds.
        let (outbound, inbound) = (try await store.outboundFiles(statuses: nil), try await store.inboundFiles())
        // Reading and hashing every archived file is blocking work: off the cooperative pool (the console runs this too).
        findings += try await OffPool.run {
            let verifier = FileVerifier(archive: archive)
            var found: [String] = []
            for file in outbound {
                let verification = verifier.verifyArchive(file, remote: "not read back by audit verify")
                for outcome in [verification.archive] + [verification.plaintext].compactMap({ $0 }) where outcome.isFinding {
                    found.append("outbound file \(file.name) (\(file.id)): \(outcome)")
                }
            }
            for file in inbound {
                for outcome in verifier.verifyArchive(file) where outcome.isFinding {
                    found.append("bank file \(file.name) (\(file.id)): \(outcome)")
                }
            }
            return found
        }
        return AuditReport(chain: chain, checkpoint: used, filesChecked: outbound.count + inbound.count, fileFindings: findings,
                           holds: chain.holds && findings.isEmpty)
    }
}
