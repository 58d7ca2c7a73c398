import Foundation
import Logging
import Payments

/// A CSV import (or any large batch of intakes) that never holds the database for the whole job:
/// the intakes are staged in chunks, each its own short transaction, under a pending import that no
/// reader sees, then published at once. All or nothing still holds: a failure discards what was
/// staged, and an import left pending by a job that died is discarded by the next one.
public struct PaymentImportJob: Sendable {
    let store: any PaymentImportStore
    /// Intakes per staging transaction: long enough to write efficiently, short enough that an API
    /// request waiting for the database is not kept long.
    let chunkSize: Int
    /// An import pending longer than this is discarded even when its holder cannot be checked (another host).
    let abandonedAfter: Duration
    let logger: Logger

    public init(store: any PaymentImportStore, chunkSize: Int = 2_000, abandonedAfter: Duration = .seconds(6 * 3_600),
                logger: Logger = Logger(label: "metl.import")) {
        self.store = store
        self.chunkSize = max(1, chunkSize)
        self.abandonedAfter = abandonedAfter
        self.logger = logger
    }

    /// Imports `intakes` for `merchantID`, all or none; returns each one's outcome in order.
    /// `progress` is told how many intakes are staged after each chunk.
    public func run(_ intakes: [PaymentIntake], merchantID: String, source: String,
                    progress: @Sendable (Int) -> Void = { _ in }) async throws -> [IntakeOutcome] {
        try await discardAbandoned()
        let pending = try await store.beginImport(merchantID: merchantID, source: source, holder: JobLease.holder)
        var outcomes: [IntakeOutcome] = []
        outcomes.reserveCapacity(intakes.count)
        do {
            var start = 0
            while start < intakes.count {
                let end = min(start + chunkSize, intakes.count)
                outcomes += try await store.stage(Array(intakes[start..<end]), into: pending.id)
                progress(end)
                start = end
            }
            try await store.publishImport(pending.id)
        } catch {
            // What was staged goes; when even that fails, the next import's cleanup removes it.
            do { try await store.discardImport(pending.id) } catch {
                logger.error("import left pending", metadata: ["import": "\(pending.id)", "error": "\(error)"])
            }
            throw error
        }
        logger.info("import published", metadata: ["import": "\(pending.id)", "rows": "\(intakes.count)", "source": "\(source)"])
        return outcomes
    }

    /// Discards imports whose holder process is gone, or that have been pending past `abandonedAfter`.
    func discardAbandoned(now: Date = Date()) async throws {
        for pending in try await store.pendingImports()
        where JobLease.holderIsGone(pending.holder) || now.timeIntervalSince(pending.createdAt) > abandonedAfter.seconds {
            logger.notice("discarding an abandoned import", metadata: ["import": "\(pending.id)", "holder": "\(pending.holder)",
                                                                      "source": "\(pending.source)"])
            try await store.discardImport(pending.id)
        }
    }
}
