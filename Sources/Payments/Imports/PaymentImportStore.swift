import Foundation

/// Storage of a large import that never holds the database for the whole job. The rows are staged in
/// chunks, each committed on its own, under a pending import that no reader counts: its payments are
/// not listed, counted, found by id, cut off or notified, and its funds moves wait beside it. One
/// short transaction publishes the import (its payments appear and its funds move, all at once), or
/// the import is discarded and leaves nothing behind. A crash leaves an import pending; the next job
/// discards it.
///
/// Errors follow `PaymentStore`: `PaymentError` for refusals, `StoreError` for storage. Publishing
/// refuses with `StoreError.Code.conflict` when a balance can no longer carry the staged reservations
/// (another writer spent it in between); nothing is published then, and the import can be discarded
/// and run again.
public protocol PaymentImportStore: Sendable {
    /// Opens a pending import for `merchantID`, held by `holder` (`host:pid`).
    func beginImport(merchantID: String, source: String, holder: String) async throws -> PendingImport
    /// Makes every staged payment of the import visible and moves its funds, in one transaction.
    func publishImport(_ importID: String) async throws
    /// Removes a pending import and everything staged under it, a chunk of payments per transaction.
    func discardImport(_ importID: String) async throws
    /// Imports still pending: in progress, or left behind by a job that died.
    func pendingImports() async throws -> [PendingImport]
}
