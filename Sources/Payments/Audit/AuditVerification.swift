import Foundation

/// What `verify` found walking the audit log: how much it checked and, when something does not
/// hold, the first broken entry and what differs.
public struct AuditVerification: Sendable, Encodable {
    public enum Kind: String, Sendable, Hashable, Encodable {
        /// A sequence number is missing: entries were deleted.
        case missingEntry = "missing_entry"
        /// An entry's fields no longer hash to its hash: it was changed.
        case alteredEntry = "altered_entry"
        /// An entry does not name its predecessor's hash: entries were reordered or replaced.
        case brokenChain = "broken_chain"
        /// The rows an entry wrote are not as they were: a history row changed, or was deleted.
        case changedRows = "changed_rows"
        /// Covered rows no entry wrote: rows inserted outside metl.
        case unauditedRows = "unaudited_rows"
        /// The head row and the log's last entry disagree: the last entries were deleted, or the head rewritten.
        case headMismatch = "head_mismatch"
        /// The log is shorter than a signed checkpoint: it was cut back.
        case truncated
        /// The entry a signed checkpoint names has another hash: the log was rewritten.
        case checkpointMismatch = "checkpoint_mismatch"
    }

    public struct Finding: Sendable, Hashable, Encodable {
        public var kind: Kind
        public var sequence: Int64?
        public var message: String
    }

    public var entries: Int64 = 0
    public var rows = 0
    public var headSequence: Int64 = 0
    public var headHash = AuditEntry.zeroHash
    /// The checkpoint the log was checked against, when there was one.
    public var checkpointSequence: Int64?
    public var findings: [Finding] = []

    public var holds: Bool { findings.isEmpty }

    enum CodingKeys: String, CodingKey {
        case entries, rows, headSequence = "head_sequence", headHash = "head_hash", checkpointSequence = "checkpoint_sequence", findings, holds
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(rows, forKey: .rows)
        try container.encode(headSequence, forKey: .headSequence)
        try container.encode(headHash, forKey: .headHash)
        try container.encode(checkpointSequence, forKey: .checkpointSequence)
        try container.encode(findings, forKey: .findings)
        try container.encode(holds, forKey: .holds)
    }
}

extension AuditStore {
    /// Walks the log in sequence order a page at a time (memory independent of its length): each
    /// entry follows the one before it, hashes to its hash, and its rows, read from the tables as
    /// they are now, digest to what it recorded; then the head row, the signed `checkpoint` (an
    /// entry's sequence and hash, when given) and rows no entry covers. Stops at the first broken entry.
    public func verifyAuditLog(checkpoint: (sequence: Int64, hash: String)? = nil, pageSize: Int = 1_000,
                               progress: (Int64) -> Void = { _ in }) async throws -> AuditVerification {
        var report = AuditVerification()
        report.checkpointSequence = checkpoint?.sequence
        var previous: AuditEntry?
        func stop(_ kind: AuditVerification.Kind, _ sequence: Int64?, _ message: String) -> AuditVerification {
            report.findings.append(.init(kind: kind, sequence: sequence, message: message))
            return report
        }
        walking: while true {
            let page = try await auditEntries(after: previous?.sequence ?? 0, limit: pageSize)
            for entry in page {
                let expected = (previous?.sequence ?? 0) + 1
                guard entry.sequence == expected else {
                    return stop(.missingEntry, expected, "entries \(expected)…\(entry.sequence - 1) are missing: they were deleted")
                }
                guard entry.previousHash == (previous?.hash ?? AuditEntry.zeroHash) else {
                    return stop(.brokenChain, entry.sequence, "entry \(entry.sequence) does not follow entry \(expected - 1): "
                                + "entries were reordered or replaced")
                }
                guard entry.computedHash == entry.hash else {
                    return stop(.alteredEntry, entry.sequence, "entry \(entry.sequence) (\(entry.action.rawValue) by \(entry.actor)) was changed: "
                                + "its fields no longer hash to \(entry.hash)")
                }
                let rows = try await auditRows(changeSet: entry.changeSet)
                guard rows.count == entry.rowCount, rows.digest == entry.rowsDigest else {
                    return stop(.changedRows, entry.sequence, "the rows entry \(entry.sequence) (\(entry.action.rawValue) by \(entry.actor), "
                                + "\(entry.subjects.prefix(3).joined(separator: ", "))) wrote changed: \(rows.count) rows now, "
                                + "\(entry.rowCount) recorded, digest \(rows.digest == entry.rowsDigest ? "equal" : "different")")
                }
                if let checkpoint, checkpoint.sequence == entry.sequence, checkpoint.hash != entry.hash {
                    return stop(.checkpointMismatch, entry.sequence, "entry \(entry.sequence) is not the one checkpoint \(checkpoint.sequence) "
                                + "signed (\(checkpoint.hash)): the log was rewritten")
                }
                report.entries += 1
                report.rows += rows.count
                previous = entry
            }
            progress(report.entries)
            if page.count < pageSize { break walking }
        }
        report.headSequence = previous?.sequence ?? 0
        report.headHash = previous?.hash ?? AuditEntry.zeroHash
        let head = try await auditHead()
        if (head?.sequence ?? 0) != report.headSequence || (head?.hash ?? AuditEntry.zeroHash) != report.headHash {
            return stop(.headMismatch, head?.sequence, "the head row says entry \(head?.sequence ?? 0) but the log ends at entry "
                        + "\(report.headSequence): the last entries were deleted, or the head rewritten")
        }
        if let checkpoint, checkpoint.sequence > report.headSequence {
            return stop(.truncated, checkpoint.sequence, "the log ends at entry \(report.headSequence), but a checkpoint signed entry "
                        + "\(checkpoint.sequence): the log was cut back")
        }
        let unaudited = try await unauditedRows()
        if !unaudited.isEmpty {
            return stop(.unauditedRows, nil, "rows no entry wrote: " + unaudited.sorted { $0.key < $1.key }.map { "\($0.value) in \($0.key)" }
                        .joined(separator: ", "))
        }
        return report
    }
}
