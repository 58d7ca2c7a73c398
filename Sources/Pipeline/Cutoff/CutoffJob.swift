import Foundation
import Logging
import NACHA
import Payments

/// The cutoff: metl's main job, built from named parts. Under its `JobLease` it finishes the files
/// an earlier run left, has each kind's `OutboundRenderer` turn what waits (validated payments,
/// check issues and voids) into files, archives and records them, and hands every file to
/// `ExactlyOnceUpload` towards its kind's destination. It never sends a file twice, never binds an
/// item to two files, and never marks a file uploaded before the bank holds exactly its bytes.
public struct CutoffJob: Sendable {
    /// One kind of file this cutoff sends: its renderer, where its files go, and how they are
    /// sealed for that destination, if they are.
    public struct Kind: Sendable {
        public var renderer: any OutboundRenderer
        public var destination: any Destination
        public var sealing: OpenPGPSealing?
        public init(renderer: any OutboundRenderer, destination: any Destination, sealing: OpenPGPSealing? = nil) {
            self.renderer = renderer
            self.destination = destination
            self.sealing = sealing
        }
    }

    public struct Settings: Sendable {
        /// The kinds this cutoff sends, in order. Unfinished files of other kinds wait for a run that sends them.
        public var kinds: [Kind]
        public var archive: Archive
        /// Counted from the job's start; when spent, the job stops cleanly and exits "window missed".
        public var window: Duration
        /// Files up to this size are read back after upload and their SHA-256 compared.
        public var readBackLimit: Int
        /// First retry delay; doubles with jitter up to `retryCap`.
        public var retryBase: Duration
        public var retryCap: Duration
        /// The configuration file's bank profile this cutoff sends for; nil for the single profile of
        /// flags and variables. Each profile holds its own lease, so two profiles' cutoffs run side
        /// by side and two of one profile never do.
        public var profile: String?
        /// The profile's rule for files, when it holds them for approval.
        public var approval: FileApproval?

        public init(kinds: [Kind], archive: Archive, window: Duration = .seconds(900), readBackLimit: Int = 50_000_000,
                    retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(60), profile: String? = nil,
                    approval: FileApproval? = nil) {
            self.profile = profile
            self.approval = approval
            self.kinds = kinds
            self.archive = archive
            self.window = window
            self.readBackLimit = readBackLimit
            self.retryBase = retryBase
            self.retryCap = retryCap
        }

        /// Every renderer's files to one destination.
        public init(renderers: [any OutboundRenderer], destination: any Destination, archive: Archive, window: Duration = .seconds(900),
                    readBackLimit: Int = 50_000_000, retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(60)) {
            self.init(kinds: renderers.map { Kind(renderer: $0, destination: destination) }, archive: archive, window: window,
                      readBackLimit: readBackLimit, retryBase: retryBase, retryCap: retryCap)
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

    /// Which files a profile holds for approval (`ApprovalRule` by a file's gross amount), and when a
    /// held file's window closes (`CutoffSchedule.approvalDeadline`).
    public struct FileApproval: Sendable {
        public var rule: ApprovalRule
        public var schedule: CutoffSchedule

        public init(rule: ApprovalRule, schedule: CutoffSchedule) {
            self.rule = rule
            self.schedule = schedule
        }
    }

    /// What the job did, for the summary line and `--json`.
    public struct Summary: Sendable, Codable {
        /// The bank profile, when the configuration file names profiles.
        @Nullable public var profile: String?
        public var paymentsCollected = 0
        public var checkRecordsCollected = 0
        public var decisionsCollected = 0
        public var filesResumed = 0
        public var filesRendered = 0
        public var filesUploaded = 0
        public var filesAlreadyAtBank = 0
        public var filesFailed = 0
        /// Files held for approval, new or from an earlier run, not yet approved.
        public var filesAwaitingApproval = 0
        /// Held files whose approval window closed unapproved: cancelled, their items released.
        public var filesExpired = 0
        public var paymentsSubmitted = 0
        public var checkRecordsSubmitted = 0
        public var decisionsSubmitted = 0
        public var bytesUploaded = 0
        public var files: [FileOutcome] = []
        public var alerts: [String] = []
        /// Items left out of every file (a decision its file cannot carry): a person is needed.
        public var leftOut: [String] = []

        public struct FileOutcome: Sendable, Codable {
            public var id: String
            public var kind: String
            public var name: String
            public var status: String
            public var entries: Int
            public var totalDebit: Int64
            public var totalCredit: Int64
            @Nullable public var remotePath: String?

            enum CodingKeys: String, CodingKey {
                case id, kind, name, status, entries, totalDebit = "total_debit", totalCredit = "total_credit", remotePath = "remote_path"
            }
        }

        enum CodingKeys: String, CodingKey {
            case profile, paymentsCollected = "payments_collected", checkRecordsCollected = "check_records_collected",
                 filesResumed = "files_resumed", filesRendered = "files_rendered", filesUploaded = "files_uploaded",
                 filesAlreadyAtBank = "files_already_at_bank", filesFailed = "files_failed",
                 filesAwaitingApproval = "files_awaiting_approval", filesExpired = "files_expired", paymentsSubmitted = "payments_submitted",
                 checkRecordsSubmitted = "check_records_submitted", decisionsCollected = "decisions_collected",
                 decisionsSubmitted = "decisions_submitted", bytesUploaded = "bytes_uploaded", files, alerts, leftOut = "left_out"
        }

        mutating func collected(_ count: Int, _ carried: CarriedItems) {
            switch carried {
            case .payments: paymentsCollected += count
            case .checkRecords: checkRecordsCollected += count
            case .decisions: decisionsCollected += count
            }
        }

        mutating func submitted(_ count: Int, _ carried: CarriedItems) {
            switch carried {
            case .payments: paymentsSubmitted += count
            case .checkRecords: checkRecordsSubmitted += count
            case .decisions: decisionsSubmitted += count
            }
        }
    }

    /// Progress for a terminal: called from the job's task, cheap to ignore.
    public enum Progress: Sendable {
        case collected(kind: OutboundFileKind, items: Int)
        case rendered(file: String, entries: Int)
        case uploaded(file: String, bytes: Int)
    }

    let settings: Settings
    let store: any LedgerStore
    let logger: Logger
    let faults: FaultInjector
    let now: @Sendable () -> Date

    public init(settings: Settings, store: any LedgerStore, logger: Logger,
                faults: FaultInjector = .none, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.faults = faults
        self.now = now
    }

    /// The lease of the single-profile cutoff; a named profile's is `cutoff:NAME`.
    static let leaseName = "cutoff"

    private var lease: JobLease { JobLease(name: settings.profile.map { "\(Self.leaseName):\($0)" } ?? Self.leaseName, store: store) }

    /// The bank profile this cutoff sends for; nil for the single profile of flags and variables.
    public var profile: String? { settings.profile }

    /// Whether this cutoff sends (resumes, retries) `file`: its kind, for its bank profile.
    public func sends(_ file: OutboundFile) -> Bool { settings.kinds.contains { $0.renderer.sends(file) } }

    /// Checks `files` (those this job sends) against the ledger: archived bytes, and each uploaded
    /// one's copy read back from its kind's destination within the job's window.
    public func verify(_ files: [OutboundFile]) async -> [FileVerification] {
        let verifier = FileVerifier(archive: settings.archive)
        let deadline = ContinuousClock.now + settings.window
        var verified: [FileVerification] = []
        for kind in settings.kinds {
            verified += await verifier.verify(files.filter(kind.renderer.sends), at: kind.destination, deadline: deadline)
        }
        return verified
    }

    private func upload(to kind: Kind) -> ExactlyOnceUpload {
        ExactlyOnceUpload(destination: kind.destination, carries: kind.renderer.carries, archive: settings.archive, store: store,
                          readBackLimit: settings.readBackLimit, window: settings.window, retryBase: settings.retryBase,
                          retryCap: settings.retryCap, logger: logger, faults: faults, now: now)
    }

    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws(PipelineError) -> Summary {
        let (summary, stopped) = await runReporting(progress: progress)
        if let stopped { throw stopped }
        return summary
    }

    /// The run's summary however it ended (what it collected, rendered and sent before it stopped),
    /// and the error that stopped it, if one did: what the operator's log needs on every exit.
    public func runReporting(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async -> (summary: Summary, stopped: PipelineError?) {
        let deadline = ContinuousClock.now + settings.window
        var summary = Summary(profile: settings.profile)
        do throws(PipelineError) {
            try await lease.holding(for: settings.window, now: now()) { () throws(PipelineError) in
                // Holding the lease: whatever a dead run left half-written in the archive is no one's now.
                settings.archive.removeStaleTemporaryFiles()
                try await work(&summary, deadline: deadline, progress: progress)
            }
            return (summary, nil)
        } catch {
            return (summary, error)
        }
    }

    /// Uploads one file again from its archived bytes (after a failure), under the same lease.
    public func retry(fileID: String) async throws(PipelineError) -> Summary {
        let deadline = ContinuousClock.now + settings.window
        return try await lease.holding(for: settings.window, now: now()) { () throws(PipelineError) -> Summary in
            let file = try await storageStep { try await store.outboundFile(id: fileID) }
            guard file.status != .uploaded, !file.status.isStopped, file.status != .awaitingApproval else {
                throw PipelineError(.invalidStatus, "file \(file.name) is \(file.status.rawValue); there is nothing to retry")
            }
            guard let kind = settings.kinds.first(where: { $0.renderer.sends(file) }) else {
                throw PipelineError(.configuration, "file \(file.name) is a \(file.kind) file this cutoff does not send (another kind, or another bank profile)")
            }
            var summary = Summary(profile: settings.profile)
            try await upload(to: kind).deliver([file], summary: &summary, deadline: deadline, progress: { _ in })
            return summary
        }
    }

    private func work(_ summary: inout Summary, deadline: ContinuousClock.Instant,
                      progress: @escaping @Sendable (Progress) -> Void) async throws(PipelineError) {
        // 0. Keys that cannot seal refuse the whole run before anything is rendered or sent.
        for sealing in settings.kinds.compactMap(\.sealing) {
            for alert in try await sealing.check(at: now()) {
                logger.warning("key expiring", metadata: ["alert": "\(alert)"])
                summary.alerts.append(alert)
            }
        }
        // 1. Held files whose approval window closed expire, their items released to this run;
        //    those still held wait for approvers.
        let held = try await storageStep { try await store.outboundFiles(statuses: [.awaitingApproval]) }.filter(sends)
        let expired = try await storageStep { try await store.expireHeld(held, actor: .cutoff, at: now()) }
        for file in expired {
            logger.critical("ALERT held file expired unapproved", metadata: ["file": "\(file.name)", "id": "\(file.id)"])
            summary.alerts.append("file \(file.name) (\(file.id)) expired: \(file.failureReason ?? "not approved in its window"); "
                                  + "its items go in the next file, which asks again")
        }
        summary.filesExpired = expired.count
        summary.filesAwaitingApproval = held.count - expired.count

        // 2. Finish what an earlier run left: the same archived bytes, never a re-render.
        let unfinished = try await storageStep { try await store.outboundFiles(statuses: OutboundFileStatus.unfinished) }
            .filter { file in settings.kinds.contains { $0.renderer.sends(file) } }
        summary.filesResumed = unfinished.count
        if !unfinished.isEmpty {
            logger.notice("resuming unfinished files", metadata: ["count": "\(unfinished.count)"])
        }

        // 3. Collect, render, validate, archive and record new files, kind by kind.
        let created = now()
        var newFiles: [OutboundFile] = []
        var renderingStopped: PipelineError?
        for kind in settings.kinds {
            do throws(PipelineError) {
                try await renderAndRecord(kind.renderer, sealing: kind.sealing, created: created, into: &newFiles, summary: &summary,
                                          progress: progress)
            } catch where error.code == .fileIDModifiersExhausted {
                // The files already recorded still go out; the rest wait for tomorrow.
                renderingStopped = error
            }
        }

        // 4. Deliver everything not held, oldest first, each kind to its destination.
        for kind in settings.kinds {
            let files = (unfinished + newFiles).filter { kind.renderer.sends($0) && OutboundFileStatus.unfinished.contains($0.status) }
            guard !files.isEmpty else { continue }
            try await upload(to: kind).deliver(files, summary: &summary, deadline: deadline, progress: progress)
        }
        if let renderingStopped { throw renderingStopped }
    }

    /// What a run would render now, without recording, reserving or sending anything (`--dry-run`).
    /// Trace numbers start at 1 and file ID modifiers are the next free ones: both provisional.
    public func preview() async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        let created = now()
        var previews: [(name: String, bytes: [UInt8])] = []
        for kind in settings.kinds {
            previews += try await preview(kind.renderer, created: created)
        }
        return previews
    }

    private func preview<Renderer: OutboundRenderer>(_ renderer: Renderer, created: Date) async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        let items = try await renderer.collect(from: store, at: created)
        return try await renderer.preview(renderer.files(from: items, at: created), created: created, store: store)
    }

    /// One kind's files: collected, planned, rendered, archived and recorded one after the other.
    private func renderAndRecord<Renderer: OutboundRenderer>(
        _ renderer: Renderer, sealing: OpenPGPSealing?, created: Date, into files: inout [OutboundFile], summary: inout Summary,
        progress: @escaping @Sendable (Progress) -> Void) async throws(PipelineError) {
        let leftOut = try await renderer.prepare(store, now: created)
        for item in leftOut { logger.error("ALERT left out of a file", metadata: ["item": "\(item)"]) }
        summary.leftOut += leftOut
        let items = try await renderer.collect(from: store, at: created)
        summary.collected(items.count, renderer.carries)
        progress(.collected(kind: renderer.kind, items: items.count))
        for plan in renderer.files(from: items, at: created) {
            let file = try await record(try await renderer.render(plan, created: created, store: store), of: plan, by: renderer,
                                        sealing: sealing)
            files.append(file)
            summary.filesRendered += 1
            if file.status == .awaitingApproval {
                summary.filesAwaitingApproval += 1
                logger.notice("file held for approval", metadata: ["file": "\(file.name)", "id": "\(file.id)",
                                                                   "approvals": "\(file.approval?.required ?? 0)"])
            }
            progress(.rendered(file: file.name, entries: file.entryCount))
        }
    }

    /// The lifecycle every kind shares after rendering: the exact bytes archived (and, for a sealed
    /// destination, the sealed bytes too, which are then the file's), then the file recorded with
    /// its items bound, in one transaction; an item that changed since it was collected refuses
    /// the file.
    private func record<Renderer: OutboundRenderer>(_ rendered: RenderedFile<Renderer.Binding>, of plan: Renderer.FilePlan,
                                                    by renderer: Renderer, sealing: OpenPGPSealing?) async throws(PipelineError) -> OutboundFile {
        var file = rendered.file
        file.profile = settings.profile
        file.archivePath = try settings.archive.store(rendered.bytes, kind: "outbound", extension: renderer.archiveExtension)
        if let sealing {
            let sealed = try await sealing.seal(rendered.bytes, name: file.name, at: now())
            file.sealing = OutboundFile.Sealing(plaintextSHA256: file.sha256, plaintextSize: file.size, plaintextArchivePath: file.archivePath,
                                                recipient: sealing.recipient.hex, signer: sealing.signer?.hex)
            file.name += sealing.suffix
            file.sha256 = SHA256Digest.hex(sealed)
            file.size = Int64(sealed.count)
            file.archivePath = try settings.archive.store(sealed, kind: "outbound", extension: renderer.archiveExtension + sealing.suffix)
        }
        if let approval = settings.approval {
            let required = approval.rule.required(debit: file.totalDebit, credit: file.totalCredit)
            if required > 0 { file.hold(required: required, until: approval.schedule.approvalDeadline(forFileRenderedAt: now())) }
        }
        try await renderer.record(file, bindings: rendered.bindings, of: plan, store: store)
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
