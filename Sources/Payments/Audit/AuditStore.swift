import Foundation

/// Storage of the audit log. Entries are appended by the stores themselves at the end of each
/// write transaction that wrote covered rows (`AuditedTable`) or was given a record, so no change
/// set escapes it; `appendAudit` adds an entry of its own (a job's start and end).
public protocol AuditStore: Sendable {
    /// Appends `record` as an entry of its own, writing no rows; returns it.
    func appendAudit(_ record: AuditRecord, at now: Date) async throws -> AuditEntry
    /// The entries after sequence `after`, in sequence order, at most `limit`: the log read a page at a time.
    func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry]
    /// The last entry's sequence and hash as the head row says, nil before the first.
    func auditHead() async throws -> (sequence: Int64, hash: String)?
    /// The digest of the rows carrying `changeSet`, recomputed from the tables as they are now.
    func auditRows(changeSet: String) async throws -> AuditRows
    /// Covered rows that carry no change set an entry names (a pending import's staged rows excepted):
    /// rows written outside metl, counted per table.
    func unauditedRows() async throws -> [String: Int]
}
