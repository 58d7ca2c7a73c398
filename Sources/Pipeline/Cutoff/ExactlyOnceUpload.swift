import Foundation
import Logging
import Payments

extension FaultInjector.Point {
    /// After `NAME.part` is written, before the rename.
    public static let afterPartWritten = Self(rawValue: "after_part_written")
    /// After the rename to `NAME`, before the file is marked uploaded.
    public static let afterRename = Self(rawValue: "after_rename")
}

/// Delivers recorded outbound files, of any kind, so that the bank receives each exactly once:
/// the archived bytes (checked against their SHA-256) go to `NAME.part`, whose size is checked, then
/// a no-clobber rename to `NAME`, a size check and a read-back hash check; only then is the file
/// marked uploaded. A final name already there is ours only with the same size and hash; anything
/// else is a conflict for an operator, never overwritten. Transient failures are retried on a new
/// connection with backoff inside the window; a resumed file goes through the same steps.
struct ExactlyOnceUpload: Sendable {
    let destination: any Destination
    /// What the files carry, for the summary's counts.
    let carries: CarriedItems
    let archive: Archive
    let store: any LedgerStore
    /// Files up to this size are read back after upload and their SHA-256 compared.
    let readBackLimit: Int
    let window: Duration
    let retryBase: Duration
    let retryCap: Duration
    let logger: Logger
    let faults: FaultInjector
    /// The time an upload is recorded at: now, or a demo's fixed clock.
    let now: @Sendable () -> Date

    private enum Delivery { case uploaded(bytes: Int), alreadyThere, conflict }

    func deliver(_ files: [OutboundFile], summary: inout CutoffJob.Summary, deadline: ContinuousClock.Instant,
                 progress: @escaping @Sendable (CutoffJob.Progress) -> Void) async throws(PipelineError) {
        var pending = files[...]
        var failures = 0
        while !pending.isEmpty {
            guard ContinuousClock.now < deadline else { throw windowMissed(remaining: pending.count) }
            let session: any DestinationSession
            do {
                session = try await destination.connect(deadline: deadline)
            } catch {
                try await record(error, for: pending)
                try await backOff(after: error, failures: &failures, deadline: deadline, remaining: pending.count)
                continue
            }
            do throws(DestinationError) {
                while let file = pending.first {
                    let outcome = try await upload(file, session)
                    let stored = try await storageStoppingDelivery { try await store.outboundFile(id: file.id) }
                    summary.files.append(.init(id: stored.id, kind: stored.kind.rawValue, name: stored.name, status: stored.status.rawValue,
                                               entries: stored.entryCount, totalDebit: stored.totalDebit,
                                               totalCredit: stored.totalCredit, remotePath: stored.remotePath))
                    switch outcome {
                    case .uploaded(let bytes):
                        summary.filesUploaded += 1
                        summary.bytesUploaded += bytes
                        summary.submitted(stored.entryCount, carries)
                        progress(.uploaded(file: file.name, bytes: bytes))
                    case .alreadyThere:
                        summary.filesAlreadyAtBank += 1
                        summary.submitted(stored.entryCount, carries)
                    case .conflict:
                        summary.filesFailed += 1
                        summary.alerts.append("file \(file.name) (\(file.id)): \(stored.failureReason ?? "failed")")
                    }
                    pending = pending.dropFirst()
                    failures = 0
                }
                await session.close()
            } catch {
                await session.close()
                try await record(error, for: pending)
                try await backOff(after: error, failures: &failures, deadline: deadline, remaining: pending.count)
            }
        }
    }

    /// Writes `error` into the delivery log of every file still waiting for the bank, so a file that
    /// was never sent says when it was tried and why it failed (`metl files show`).
    private func record(_ error: DestinationError, for files: ArraySlice<OutboundFile>) async throws(PipelineError) {
        let at = now()
        try await storageStep { try await store.recordDeliveryFailures(files.map { DeliveryFailure(fileID: $0.id, at: at, error: error.message) }) }
    }

    /// Waits before the next attempt, or ends the run: permanent errors need an operator, and a wait
    /// that would outlast the window is not taken.
    private func backOff(after error: DestinationError, failures: inout Int, deadline: ContinuousClock.Instant,
                         remaining: Int) async throws(PipelineError) {
        guard error.kind == .transient else {
            throw PipelineError(.configuration, "cannot deliver to \(destination): \(error.message)")
        }
        failures += 1
        let exponential = retryBase * (1 << min(failures - 1, 16))
        let delay = min(retryCap, exponential) * Double.random(in: 0.5...1.0)
        logger.warning("delivery failed, retrying", metadata: ["error": "\(error.message)", "attempt": "\(failures)",
                                                               "retry_in": "\(delay.rounded)"])
        guard ContinuousClock.now + delay < deadline else { throw windowMissed(remaining: remaining, cause: error.message) }
        try? await Task.sleep(for: delay)
    }

    private func windowMissed(remaining: Int, cause: String? = nil) -> PipelineError {
        let message = "the \(window.setting) window is spent with \(Words.count(remaining, "file")) not yet at the bank"
            + (cause.map { " (last error: \($0))" } ?? "") + "; everything is recorded and the next run resumes it"
        logger.critical("ALERT cutoff window missed", metadata: ["files_pending": "\(remaining)"])
        return PipelineError(.windowMissed, message)
    }

    private func upload(_ recorded: OutboundFile, _ session: any DestinationSession) async throws(DestinationError) -> Delivery {
        let file = try await storageStoppingDelivery { try await store.markUploading(fileID: recorded.id) }
        let bytes: [UInt8]
        do throws(PipelineError) {
            bytes = try archive.read(file.archivePath)
        } catch {
            throw DestinationError(.permanent, error.message)
        }
        guard Archive.sha256(bytes) == file.sha256 else {
            throw DestinationError(.permanent, "archived bytes of \(file.name) no longer match their SHA-256; refusing to send")
        }
        let part = file.name + ".part"
        if let existing = try await session.size(of: file.name) {
            return try await settle(file, existing: existing, bytes: bytes, session)
        }
        try await session.write(bytes, to: part)
        try stopAtFault(.afterPartWritten)
        guard try await session.size(of: part) == file.size else {
            throw DestinationError(.transient, "\(part) does not have the size written")
        }
        do throws(DestinationError) {
            try await session.renameNoClobber(part, to: file.name)
        } catch where error.kind == .exists {
            // Someone (an earlier attempt?) put the final name there meanwhile: check what it holds.
            let existing = try await session.size(of: file.name) ?? -1
            return try await settle(file, existing: existing, bytes: bytes, session)
        }
        try stopAtFault(.afterRename)
        let result = try await settle(file, existing: try await session.size(of: file.name) ?? -1, bytes: bytes, session)
        if case .alreadyThere = result { return .uploaded(bytes: bytes.count) }
        return result
    }

    /// The final name exists: ours (same size, same hash) → mark uploaded; anything else → a conflict
    /// for an operator, never overwritten.
    private func settle(_ file: OutboundFile, existing: Int64, bytes: [UInt8], _ session: any DestinationSession) async throws(DestinationError) -> Delivery {
        var matches = existing == file.size
        if matches, bytes.count <= readBackLimit {
            matches = Archive.sha256(try await session.read(file.name)) == file.sha256
        }
        guard matches else {
            let reason = "remote_conflict: \(session.path(of: file.name)) exists with other content (size \(existing), ours \(file.size))"
            logger.critical("ALERT remote file conflict", metadata: ["file": "\(file.name)", "id": "\(file.id)"])
            _ = try await storageStoppingDelivery { try await store.markFailed(fileID: file.id, reason: reason) }
            return .conflict
        }
        _ = try await storageStoppingDelivery {
            try await store.markUploaded(fileID: file.id, remotePath: session.path(of: file.name), actor: .cutoff, at: now())
        }
        logger.info("file at the bank", metadata: ["file": "\(file.name)", "id": "\(file.id)", "sha256": "\(file.sha256)"])
        return .alreadyThere
    }

    /// Storage failures during delivery stop the run: nothing is retried against a broken database.
    private func storageStoppingDelivery<T>(_ body: () async throws -> T) async throws(DestinationError) -> T {
        do {
            return try await body()
        } catch {
            throw DestinationError(.permanent, "storage: \(error)")
        }
    }

    /// A test's fault point: stops the delivery as a permanent failure would.
    private func stopAtFault(_ point: FaultInjector.Point) throws(DestinationError) {
        do { try faults.hit(point) } catch { throw DestinationError(.permanent, "injected fault at \(point.rawValue)") }
    }
}
