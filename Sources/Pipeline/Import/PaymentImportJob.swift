import Foundation
import Logging
import NACHA
import Payments

/// A CSV import that never holds the database for the whole job, nor the file in memory: the rows
/// are read, validated and staged in chunks, each its own short transaction, under a pending import
/// that no reader sees, then published at once. All or nothing still holds: a failure discards what was
/// staged, and an import left pending by a job that died is discarded by the next one.
public struct PaymentImportJob: Sendable {
    let store: any PaymentImportStore & PaymentStore
    /// Intakes per staging transaction: long enough to write efficiently, short enough that an API
    /// request waiting for the database is not kept long.
    let chunkSize: Int
    /// An import pending longer than this is discarded even when its holder cannot be checked (another host).
    let abandonedAfter: Duration
    let logger: Logger

    public init(store: any PaymentImportStore & PaymentStore, chunkSize: Int = 2_000, abandonedAfter: Duration = .seconds(6 * 3_600),
                logger: Logger = Logger(label: "metl.import")) {
        self.store = store
        self.chunkSize = max(1, chunkSize)
        self.abandonedAfter = abandonedAfter
        self.logger = logger
    }

    /// What an import did, row by row counted.
    public struct Summary: Sendable, Hashable {
        /// Rows in the file.
        public var rows = 0
        /// Payments the import created, and how many of them failed validation (insufficient funds).
        public var created = 0
        public var failed = 0
        /// Created and held for approval (P_CREATED) by the merchant's profile's rule.
        public var awaitingApproval = 0
        /// Rows whose key was imported before: they returned the stored payment.
        public var alreadyImported = 0
    }

    /// Bytes read from the file at a time.
    static let pieceSize = 1 << 20

    /// Imports the CSV file read from `file` for `merchantID`, all rows or none, in one pass that keeps
    /// a piece of the file and a chunk of rows in memory: rows are staged as they are read and the
    /// import is published after the last one. A bad row stops the staging, the rest of the file is
    /// still read so that every problem is reported at once (`PaymentError`), and what was staged is
    /// discarded. `outcomes` is given each staged chunk's outcomes in file order (they are visible
    /// only once the import returns); `progress`, the rows staged so far.
    public func run(csv file: FileHandle, merchantID: String, source: String, actor: Actor, rules: PaymentRules,
                    approvals: ApprovalPolicy = .none, today: ACHDate = .today(), progress: (Int) -> Void = { _ in },
                    outcomes: ([IntakeOutcome]) throws -> Void = { _ in }) async throws -> Summary {
        try await discardAbandoned()
        // Which rows wait for approvers: the merchant's profile's rule, by each row's amount.
        let merchant = approvals.profiles.isEmpty ? nil : try await store.merchant(merchantID)
        var reader = CSVImportReader(rules: rules, today: today)
        var summary = Summary()
        var pending: PendingImport?
        var waiting: [PaymentIntake] = []
        func stage(_ intakes: [PaymentIntake]) async throws {
            if pending == nil { pending = try await store.beginImport(merchantID: merchantID, source: source, holder: JobLease.holder) }
            guard let pending else { return }
            let staged = try await store.stage(intakes, into: pending.id)
            for outcome in staged {
                if outcome.created {
                    summary.created += 1
                    if outcome.payment.state == .failed { summary.failed += 1 }
                    if outcome.payment.state == .created { summary.awaitingApproval += 1 }
                } else {
                    summary.alreadyImported += 1
                }
            }
            try outcomes(staged)
            progress(summary.created + summary.alreadyImported)
        }
        do {
            var finished = false
            while !finished {
                let piece = try await Self.read(file)
                finished = piece.isEmpty
                let rows = try reader.rows(in: piece, final: finished)
                // After a bad row nothing more is staged; the file is read on for its other problems.
                guard !reader.hasProblems else { continue }
                waiting += rows.map {
                    PaymentIntake(merchantID: merchantID, idempotencyKey: $0.idempotencyKey, request: $0.request, actor: actor,
                                  source: SourceReference.csvImport(file: source, line: $0.line),
                                  approvalsRequired: merchant.map { [request = $0.request] in
                                      approvals.approvalsRequired(merchant: $0, request: request)
                                  } ?? 0)
                }
                while waiting.count >= chunkSize || (finished && !waiting.isEmpty) {
                    let chunk = Array(waiting.prefix(chunkSize))
                    waiting.removeFirst(chunk.count)
                    try await stage(chunk)
                }
            }
            try reader.check()
            if let pending { try await store.publishImport(pending.id) }
        } catch {
            // What was staged goes; when even that fails, the next import's cleanup removes it.
            if let pending {
                do { try await store.discardImport(pending.id) } catch {
                    logger.error("import left pending", metadata: ["import": "\(pending.id)", "error": "\(error)"])
                }
            }
            throw error
        }
        summary.rows = reader.rowCount
        logger.info("import published", metadata: ["import": "\(pending?.id ?? "-")", "rows": "\(summary.rows)", "source": "\(source)"])
        return summary
    }

    /// The next piece of `file`, read off the cooperative pool (a pipe may keep the read waiting);
    /// empty at its end.
    static func read(_ file: FileHandle) async throws -> Data {
        try await OffPool.run { try file.read(upToCount: pieceSize) ?? Data() }
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
