import Foundation
import Logging
import NACHA
import Payments

/// The cutoff: metl's main job, built from named parts. Under its `JobLease` it finishes the files
/// an earlier run left, has each kind's `OutboundRenderer` turn newly validated payments into
/// files, archives and records them, and hands every file to `ExactlyOnceUpload`. It never sends a file twice, never binds a payment to
/// two files, and never marks a file uploaded before the bank holds exactly its bytes.
public struct CutoffJob: Sendable {
    public struct Settings: Sendable {
        /// The file kinds this cutoff sends, each with its renderer; a payment goes to the first that takes it.
        public var renderers: [any OutboundRenderer]
        public var destination: any Destination
        public var archive: Archive
        /// Counted from the job's start; when spent, the job stops cleanly and exits "window missed".
        public var window: Duration
        /// Files up to this size are read back after upload and their SHA-256 compared.
        public var readBackLimit: Int
        /// First retry delay; doubles with jitter up to `retryCap`.
        public var retryBase: Duration
        public var retryCap: Duration

        public init(renderers: [any OutboundRenderer], destination: any Destination, archive: Archive, window: Duration = .seconds(900),
                    readBackLimit: Int = 50_000_000, retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(60)) {
            self.renderers = renderers
            self.destination = destination
            self.archive = archive
            self.window = window
            self.readBackLimit = readBackLimit
            self.retryBase = retryBase
            self.retryCap = retryCap
        }

        /// A cutoff sending NACHA files for one bank profile.
        public init(profile: BankProfile, destination: any Destination, archive: Archive, window: Duration = .seconds(900),
                    limits: FileAssembler.Limits = .init(), filenameTemplate: FilenameTemplate = .defaultNACHA,
                    readBackLimit: Int = 50_000_000, lineEnding: Writer.LineEnding = .lf, retryBase: Duration = .seconds(1),
                    retryCap: Duration = .seconds(60)) {
            self.init(renderers: [NACHAFileRenderer(profile: profile, limits: limits, filenames: filenameTemplate, lineEnding: lineEnding)],
                      destination: destination, archive: archive, window: window, readBackLimit: readBackLimit, retryBase: retryBase,
                      retryCap: retryCap)
        }
    }

    /// What the job did, for the summary line and `--json`.
    public struct Summary: Sendable, Codable {
        public var paymentsCollected = 0
        public var filesResumed = 0
        public var filesRendered = 0
        public var filesUploaded = 0
        public var filesAlreadyAtBank = 0
        public var filesFailed = 0
        public var paymentsSubmitted = 0
        public var bytesUploaded = 0
        public var files: [FileOutcome] = []
        public var alerts: [String] = []

        public struct FileOutcome: Sendable, Codable {
            public var id: String
            public var name: String
            public var status: String
            public var entries: Int
            public var totalDebit: Int64
            public var totalCredit: Int64
            public var remotePath: String?
        }

        enum CodingKeys: String, CodingKey {
            case paymentsCollected = "payments_collected", filesResumed = "files_resumed", filesRendered = "files_rendered",
                 filesUploaded = "files_uploaded", filesAlreadyAtBank = "files_already_at_bank", filesFailed = "files_failed",
                 paymentsSubmitted = "payments_submitted", bytesUploaded = "bytes_uploaded", files, alerts
        }
    }

    /// Progress for a terminal: called from the job's task, cheap to ignore.
    public enum Progress: Sendable {
        case collected(payments: Int)
        case rendered(file: String, entries: Int)
        case uploaded(file: String, bytes: Int)
    }

    let settings: Settings
    let store: any PaymentStore & OutboundFileStore
    let logger: Logger
    let faults: FaultInjector
    let now: @Sendable () -> Date

    public init(settings: Settings, store: any PaymentStore & OutboundFileStore, logger: Logger,
                faults: FaultInjector = .none, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.faults = faults
        self.now = now
    }

    static let leaseName = "cutoff"

    private var lease: JobLease { JobLease(name: Self.leaseName, store: store) }

    private var upload: ExactlyOnceUpload {
        ExactlyOnceUpload(destination: settings.destination, archive: settings.archive, store: store,
                          readBackLimit: settings.readBackLimit, window: settings.window, retryBase: settings.retryBase,
                          retryCap: settings.retryCap, logger: logger, faults: faults)
    }

    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws(PipelineError) -> Summary {
        let deadline = ContinuousClock.now + settings.window
        return try await lease.holding(for: settings.window, now: now()) { () throws(PipelineError) -> Summary in
            // Holding the lease: whatever a dead run left half-written in the archive is no one's now.
            settings.archive.removeStaleTemporaryFiles()
            var summary = Summary()
            try await work(&summary, deadline: deadline, progress: progress)
            return summary
        }
    }

    /// Uploads one file again from its archived bytes (after a failure), under the same lease.
    public func retry(fileID: String) async throws(PipelineError) -> Summary {
        let deadline = ContinuousClock.now + settings.window
        return try await lease.holding(for: settings.window, now: now()) { () throws(PipelineError) -> Summary in
            let file = try await storageStep { try await store.outboundFile(id: fileID) }
            guard file.status != .uploaded, file.status != .cancelled else {
                throw PipelineError(.invalidStatus, "file \(file.name) is \(file.status.rawValue); there is nothing to retry")
            }
            var summary = Summary()
            try await upload.deliver([file], summary: &summary, deadline: deadline, progress: { _ in })
            return summary
        }
    }

    private func work(_ summary: inout Summary, deadline: ContinuousClock.Instant,
                      progress: @escaping @Sendable (Progress) -> Void) async throws(PipelineError) {
        // 1. Finish what an earlier run left: the same archived bytes, never a re-render.
        let unfinished = try await storageStep { try await store.outboundFiles(statuses: OutboundFileStatus.unfinished) }
        summary.filesResumed = unfinished.count
        if !unfinished.isEmpty {
            logger.notice("resuming unfinished files", metadata: ["count": "\(unfinished.count)"])
        }

        // 2. Collect, render, validate, archive and record new files, kind by kind.
        let pending = try await storageStep { try await store.unboundValidatedPayments(limit: 10_000_000) }
        summary.paymentsCollected = pending.count
        progress(.collected(payments: pending.count))
        let created = now()
        var newFiles: [OutboundFile] = []
        var renderingStopped: PipelineError?
        for (renderer, payments) in assigned(pending) {
            do throws(PipelineError) {
                try await renderAndRecord(renderer, payments, created: created, into: &newFiles, summary: &summary, progress: progress)
            } catch where error.code == .fileIDModifiersExhausted {
                // The files already recorded still go out; the rest of the payments wait for tomorrow.
                renderingStopped = error
                break
            }
        }

        // 3. Deliver everything, oldest first.
        try await upload.deliver(unfinished + newFiles, summary: &summary, deadline: deadline, progress: progress)
        if let renderingStopped { throw renderingStopped }
    }

    /// What a run would render now, without recording, reserving or sending anything (`--dry-run`).
    /// Trace numbers start at 1 and file ID modifiers are the next free ones: both provisional.
    public func preview() async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        let pending = try await storageStep { try await store.unboundValidatedPayments(limit: 10_000_000) }
        let created = now()
        var previews: [(name: String, bytes: [UInt8])] = []
        for (renderer, payments) in assigned(pending) {
            previews += try await preview(renderer, payments, created: created)
        }
        return previews
    }

    private func preview<Renderer: OutboundRenderer>(_ renderer: Renderer, _ payments: [PendingPayment],
                                                    created: Date) async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        try await renderer.preview(renderer.files(from: payments, today: ACHDate(created)), created: created, store: store)
    }

    /// One kind's files: planned, rendered, archived and recorded one after the other.
    private func renderAndRecord<Renderer: OutboundRenderer>(
        _ renderer: Renderer, _ payments: [PendingPayment], created: Date, into files: inout [OutboundFile], summary: inout Summary,
        progress: @escaping @Sendable (Progress) -> Void) async throws(PipelineError) {
        for plan in renderer.files(from: payments, today: ACHDate(created)) {
            let carried = renderer.payments(in: plan)
            let file = try await record(try await renderer.render(plan, created: created, store: store), of: carried,
                                        archiveExtension: renderer.archiveExtension)
            files.append(file)
            summary.filesRendered += 1
            progress(.rendered(file: file.name, entries: carried.count))
        }
    }

    /// Each renderer with the payments it sends: a payment goes to the first renderer that takes it.
    private func assigned(_ pending: [PendingPayment]) -> [(any OutboundRenderer, [PendingPayment])] {
        var remaining = pending
        return settings.renderers.map { renderer in
            let taken = remaining.filter(renderer.takes)
            remaining.removeAll(where: renderer.takes)
            return (renderer, taken)
        }
    }

    /// The lifecycle every kind shares after rendering: the exact bytes archived, then the file
    /// recorded with its payments bound, in one transaction; a payment that changed since it was
    /// collected refuses the file.
    private func record(_ rendered: RenderedFile, of payments: [PendingPayment], archiveExtension: String) async throws(PipelineError) -> OutboundFile {
        var file = rendered.file
        file.archivePath = try settings.archive.store(rendered.bytes, kind: "outbound", extension: archiveExtension)
        // Positions, not copies of the payments: a file binds 100,000 of them.
        var positions: [String: Int] = [:]
        positions.reserveCapacity(payments.count)
        for (index, pending) in payments.enumerated() { positions[pending.payment.id] = index }
        var planner = LedgerPlanner(now: file.createdAt, endpoints: [:])
        planner.reserveCapacity(updates: rendered.bindings.count)
        for binding in rendered.bindings {
            guard let index = positions[binding.paymentID] else {
                throw PipelineError(.internal, "the \(file.kind) renderer bound payment \(binding.paymentID), which it was not given")
            }
            do { try planner.bind(payments[index].payment, to: binding, fileID: file.id) } catch { throw PipelineError(.internal, error.message) }
        }
        let binding = planner.plan
        try await storageStep { try await store.recordRenderedFile(file, binding: binding) }
        logger.info("file rendered", metadata: ["file": "\(file.name)", "id": "\(file.id)", "kind": "\(file.kind)",
                                                "entries": "\(file.entryCount)", "sha256": "\(file.sha256)"])
        do { try faults.hit(.afterFileRecorded) } catch {
            throw PipelineError(.internal, "injected fault at \(FaultInjector.Point.afterFileRecorded.rawValue)")
        }
        return file
    }
}

extension FaultInjector.Point {
    /// After a rendered file and its bindings are committed, before any upload.
    public static let afterFileRecorded = Self(rawValue: "after_file_recorded")
}
