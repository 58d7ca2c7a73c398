import Foundation
import Logging
import NACHA
import Payments
#if canImport(Glibc)
import Glibc
#endif

extension FaultInjector.Point {
    /// After a rendered file and its bindings are committed, before any upload.
    public static let afterFileRecorded = Self(rawValue: "after_file_recorded")
    /// After `NAME.part` is written, before the rename.
    public static let afterPartWritten = Self(rawValue: "after_part_written")
    /// After the rename to `NAME`, before the file is marked uploaded.
    public static let afterRename = Self(rawValue: "after_rename")
}

/// The cutoff: metl's main job. It never sends a file twice, never binds a payment to two files,
/// and never marks a file uploaded before the bank holds exactly its bytes.
public struct CutoffJob: Sendable {
    public struct Settings: Sendable {
        public var profile: BankProfile
        public var destination: any Destination
        public var archive: Archive
        /// Counted from the job's start; when spent, the job stops cleanly and exits "window missed".
        public var window: Duration
        public var limits: FileAssembler.Limits
        /// `{origin}`, `{destination}`, `{yyyyMMdd}`, `{yyMMdd}`, `{HHmm}`, `{modifier}`, `{id}`.
        public var filenameTemplate: String
        /// Files up to this size are read back after upload and their SHA-256 compared.
        public var readBackLimit: Int
        public var lineEnding: Writer.LineEnding
        /// First retry delay; doubles with jitter up to `retryCap`.
        public var retryBase: Duration
        public var retryCap: Duration

        public init(profile: BankProfile, destination: any Destination, archive: Archive, window: Duration = .seconds(900),
                    limits: FileAssembler.Limits = .init(), filenameTemplate: String = Self.defaultFilenameTemplate,
                    readBackLimit: Int = 50_000_000, lineEnding: Writer.LineEnding = .lf, retryBase: Duration = .seconds(1),
                    retryCap: Duration = .seconds(60)) {
            self.profile = profile
            self.destination = destination
            self.archive = archive
            self.window = window
            self.limits = limits
            self.filenameTemplate = filenameTemplate
            self.readBackLimit = readBackLimit
            self.lineEnding = lineEnding
            self.retryBase = retryBase
            self.retryCap = retryCap
        }

        public static let defaultFilenameTemplate = "ACH_{origin}_{yyyyMMdd}_{HHmm}_{modifier}.ach"
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

    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws(CutoffError) -> Summary {
        try await locked { (summary: inout Summary, deadline) throws(CutoffError) in
            // Holding the lease: whatever a dead run left half-written in the archive is no one's now.
            settings.archive.removeStaleTemporaryFiles()
            try await work(&summary, deadline: deadline, progress: progress)
        }
    }

    /// Runs `body` holding the cutoff lease, releasing it however `body` ends.
    private func locked(_ body: (inout Summary, ContinuousClock.Instant) async throws(CutoffError) -> Void) async throws(CutoffError) -> Summary {
        let deadline = ContinuousClock.now + settings.window
        let owner = UUID().uuidString
        let holder = "\(Self.hostName):\(getpid())"
        do {
            try await store.acquireLease(Self.leaseName, owner: owner, holder: holder,
                                         expiresAt: now().addingTimeInterval(settings.window.seconds + 300),
                                         isGone: Self.holderIsGone)
        } catch {
            if error.code == .lockHeld { throw CutoffError(.lockHeld, error.message) }
            throw CutoffError(.internal, error.description)
        }
        var summary = Summary()
        let result: Result<Summary, CutoffError>
        do throws(CutoffError) {
            try await body(&summary, deadline)
            result = .success(summary)
        } catch {
            result = .failure(error)
        }
        try? await store.releaseLease(Self.leaseName, owner: owner)
        return try result.get()
    }

    /// Uploads one file again from its archived bytes (after a failure), under the same lock.
    public func retry(fileID: String) async throws(CutoffError) -> Summary {
        try await locked { (summary: inout Summary, deadline) throws(CutoffError) in
            let file = try await storage { try await store.outboundFile(id: fileID) }
            guard file.status != .uploaded, file.status != .cancelled else {
                throw CutoffError(.configuration, "file \(file.name) is \(file.status.rawValue); there is nothing to retry")
            }
            try await deliver([file], summary: &summary, deadline: deadline, progress: { _ in })
        }
    }

    private func work(_ summary: inout Summary, deadline: ContinuousClock.Instant,
                      progress: @escaping @Sendable (Progress) -> Void) async throws(CutoffError) {
        // 1. Finish what an earlier run left: the same archived bytes, never a re-render.
        let unfinished = try await storage { try await store.outboundFiles(statuses: OutboundFileStatus.unfinished) }
        summary.filesResumed = unfinished.count
        if !unfinished.isEmpty {
            logger.notice("resuming unfinished files", metadata: ["count": "\(unfinished.count)"])
        }

        // 2. Collect, render, validate, archive and record new files.
        let pending = try await storage { try await store.unboundValidatedPayments(limit: 10_000_000) }
        summary.paymentsCollected = pending.count
        progress(.collected(payments: pending.count))
        let created = now()
        let today = ACHDate(created)
        var newFiles: [OutboundFile] = []
        var renderingStopped: CutoffError?
        for plan in FileAssembler(limits: settings.limits).plan(pending, today: today) {
            do throws(CutoffError) {
                let file = try await renderAndRecord(plan, created: created)
                newFiles.append(file)
                summary.filesRendered += 1
                progress(.rendered(file: file.name, entries: plan.reduce(0) { $0 + $1.payments.count }))
            } catch where error.code == .fileIDModifiersExhausted {
                // The files already recorded still go out; the rest of the payments wait for tomorrow.
                renderingStopped = error
                break
            }
        }

        // 3. Deliver everything, oldest first.
        try await deliver(unfinished + newFiles, summary: &summary, deadline: deadline, progress: progress)
        if let renderingStopped { throw renderingStopped }
    }

    // MARK: Rendering

    private func renderAndRecord(_ plan: [FileAssembler.BatchPlan], created: Date) async throws(CutoffError) -> OutboundFile {
        let modifier = try await nextModifier(created, excluding: [])
        let entryCount = plan.reduce(0) { $0 + $1.payments.count }
        let firstTrace = try await storage {
            try await store.reserveTraceNumbers(odfi: settings.profile.odfiIdentification, count: entryCount)
        }
        let (file, bytes, bindings) = try render(plan, created: created, modifier: modifier, firstTrace: firstTrace)
        let archivePath = try settings.archive.store(bytes, kind: "outbound", extension: "ach")
        var recorded = file
        recorded.archivePath = archivePath
        try await storage { try await store.recordRenderedFile(recorded, bindings: bindings) }
        logger.info("file rendered", metadata: ["file": "\(file.name)", "id": "\(file.id)", "entries": "\(entryCount)",
                                                "sha256": "\(file.sha256)"])
        try inject(.afterFileRecorded)
        return recorded
    }

    /// What a run would render now, without recording, reserving or sending anything (`--dry-run`).
    /// Trace numbers start at 1 and file ID modifiers are the next free ones: both provisional.
    public func preview() async throws(CutoffError) -> [(name: String, bytes: [UInt8])] {
        let pending = try await storage { try await store.unboundValidatedPayments(limit: 10_000_000) }
        let created = now()
        var taken: Set<String> = []
        var files: [(name: String, bytes: [UInt8])] = []
        var trace = 1
        for plan in FileAssembler(limits: settings.limits).plan(pending, today: ACHDate(created)) {
            let modifier = try await nextModifier(created, excluding: taken)
            taken.insert(modifier)
            let (file, bytes, _) = try render(plan, created: created, modifier: modifier, firstTrace: trace)
            trace += plan.reduce(0) { $0 + $1.payments.count }
            files.append((file.name, bytes))
        }
        return files
    }

    private func nextModifier(_ created: Date, excluding taken: Set<String>) async throws(CutoffError) -> String {
        let profile = settings.profile
        let date = ACHDate(created)
        let used = try await storage {
            try await store.usedFileIDModifiers(origin: profile.immediateOrigin, destination: profile.immediateDestination, date: date)
        }
        guard let modifier = FileAssembler.modifiers.first(where: { !used.contains($0) && !taken.contains($0) }) else {
            throw CutoffError(.fileIDModifiersExhausted,
                              "36 files (A-Z, 0-9) already went to \(profile.immediateDestination) on \(date); a 37th would repeat a file ID")
        }
        return modifier
    }

    /// Renders and strictly validates one planned file. The returned record has no archive path yet.
    private func render(_ plan: [FileAssembler.BatchPlan], created: Date, modifier: String,
                        firstTrace: Int) throws(CutoffError) -> (OutboundFile, [UInt8], [FileBinding]) {
        let profile = settings.profile
        let date = ACHDate(created)
        let time = ACHTime(created)
        let header = FileHeader(immediateDestination: profile.immediateDestination, immediateOrigin: profile.immediateOrigin,
                                creationDate: date, creationTime: time, fileIDModifier: modifier,
                                immediateDestinationName: profile.destinationName, immediateOriginName: profile.originName)
        let (model, bindings) = FileAssembler.render(plan, profile: profile, header: header, firstTraceSequence: firstTrace)
        let bytes: [UInt8]
        do {
            bytes = try Writer(lineEnding: settings.lineEnding).render(model)
        } catch {
            throw CutoffError(.invalidFile, "the file could not be rendered: \(error)")
        }
        // Strict validation of the exact bytes: an invalid file is never recorded, let alone uploaded.
        let check = Reader.read(bytes, options: .init(buildModel: false))
        guard !check.hasErrors else {
            let first = check.diagnostics.first { $0.severity == .error }.map(\.description) ?? ""
            throw CutoffError(.invalidFile, "the rendered file failed validation (\(check.errorCount) errors, first: \(first))")
        }
        let sha = Archive.sha256(bytes)
        let id = Identifier.make(prefix: "fil", at: created)
        let totals = model.totals
        let file = OutboundFile(
            id: id, name: Self.filename(settings.filenameTemplate, header: header, id: id), sha256: sha, size: Int64(bytes.count),
            status: .rendered, immediateOrigin: profile.immediateOrigin, immediateDestination: profile.immediateDestination,
            creationDate: date, creationTime: time, fileIDModifier: modifier, batchCount: model.batches.count,
            entryAddendaCount: totals.entryAddendaCount, entryHash: totals.entryHash, totalDebit: totals.totalDebit,
            totalCredit: totals.totalCredit, archivePath: "", createdAt: created, updatedAt: created)
        return (file, bytes, bindings)
    }

    static func filename(_ template: String, header: FileHeader, id: String) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let date = header.creationDate
        let time = header.creationTime ?? ACHTime(hour: 0, minute: 0)
        return template
            .replacingOccurrences(of: "{origin}", with: header.immediateOrigin)
            .replacingOccurrences(of: "{destination}", with: header.immediateDestination)
            .replacingOccurrences(of: "{yyyyMMdd}", with: "\(date.year)\(two(date.month))\(two(date.day))")
            .replacingOccurrences(of: "{yyMMdd}", with: "\(two(date.year % 100))\(two(date.month))\(two(date.day))")
            .replacingOccurrences(of: "{HHmm}", with: "\(two(time.hour))\(two(time.minute))")
            .replacingOccurrences(of: "{modifier}", with: header.fileIDModifier)
            .replacingOccurrences(of: "{id}", with: id)
    }

    // MARK: Delivery

    private enum Delivery { case uploaded(bytes: Int), alreadyThere, conflict }

    private func deliver(_ files: [OutboundFile], summary: inout Summary, deadline: ContinuousClock.Instant,
                         progress: @escaping @Sendable (Progress) -> Void) async throws(CutoffError) {
        var pending = files[...]
        var failures = 0
        while !pending.isEmpty {
            guard ContinuousClock.now < deadline else { throw windowMissed(remaining: pending.count) }
            let session: any DestinationSession
            do {
                session = try await settings.destination.connect(deadline: deadline)
            } catch {
                try await backOff(after: error, failures: &failures, deadline: deadline, remaining: pending.count)
                continue
            }
            do throws(DestinationError) {
                while let file = pending.first {
                    let outcome = try await upload(file, session)
                    let stored = try await storageOrTransient { try await store.outboundFile(id: file.id) }
                    summary.files.append(.init(id: stored.id, name: stored.name, status: stored.status.rawValue,
                                               entries: stored.entryAddendaCount, totalDebit: stored.totalDebit,
                                               totalCredit: stored.totalCredit, remotePath: stored.remotePath))
                    switch outcome {
                    case .uploaded(let bytes):
                        summary.filesUploaded += 1
                        summary.bytesUploaded += bytes
                        summary.paymentsSubmitted += stored.entryAddendaCount
                        progress(.uploaded(file: file.name, bytes: bytes))
                    case .alreadyThere:
                        summary.filesAlreadyAtBank += 1
                        summary.paymentsSubmitted += stored.entryAddendaCount
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
                try await backOff(after: error, failures: &failures, deadline: deadline, remaining: pending.count)
            }
        }
    }

    /// Waits before the next attempt, or ends the run: permanent errors need an operator, and a wait
    /// that would outlast the window is not taken.
    private func backOff(after error: DestinationError, failures: inout Int, deadline: ContinuousClock.Instant,
                         remaining: Int) async throws(CutoffError) {
        guard error.kind == .transient else {
            throw CutoffError(.configuration, "cannot deliver to \(settings.destination): \(error.message)")
        }
        failures += 1
        let exponential = settings.retryBase * (1 << min(failures - 1, 16))
        let delay = min(settings.retryCap, exponential) * Double.random(in: 0.5...1.0)
        logger.warning("delivery failed, retrying", metadata: ["error": "\(error.message)", "attempt": "\(failures)",
                                                               "retry_in": "\(delay)"])
        guard ContinuousClock.now + delay < deadline else { throw windowMissed(remaining: remaining, cause: error.message) }
        try? await Task.sleep(for: delay)
    }

    private func windowMissed(remaining: Int, cause: String? = nil) -> CutoffError {
        let message = "the \(settings.window) window is spent with \(remaining) file(s) not yet at the bank"
            + (cause.map { " (last error: \($0))" } ?? "") + "; everything is recorded and the next run resumes it"
        logger.critical("ALERT cutoff window missed", metadata: ["files_pending": "\(remaining)"])
        return CutoffError(.windowMissed, message)
    }

    /// The upload protocol: `.part`, size check, no-clobber rename, size check, read-back hash check.
    private func upload(_ recorded: OutboundFile, _ session: any DestinationSession) async throws(DestinationError) -> Delivery {
        let file = try await storageOrTransient { try await store.markUploading(fileID: recorded.id) }
        let bytes: [UInt8]
        do throws(CutoffError) {
            bytes = try settings.archive.read(file.archivePath)
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
        try injectTransient(.afterPartWritten)
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
        try injectTransient(.afterRename)
        let result = try await settle(file, existing: try await session.size(of: file.name) ?? -1, bytes: bytes, session)
        if case .alreadyThere = result { return .uploaded(bytes: bytes.count) }
        return result
    }

    /// The final name exists: ours (same size, same hash) → mark uploaded; anything else → a conflict
    /// for an operator, never overwritten.
    private func settle(_ file: OutboundFile, existing: Int64, bytes: [UInt8], _ session: any DestinationSession) async throws(DestinationError) -> Delivery {
        var matches = existing == file.size
        if matches, bytes.count <= settings.readBackLimit {
            matches = Archive.sha256(try await session.read(file.name)) == file.sha256
        }
        guard matches else {
            let reason = "remote_conflict: \(session.path(of: file.name)) exists with other content (size \(existing), ours \(file.size))"
            logger.critical("ALERT remote file conflict", metadata: ["file": "\(file.name)", "id": "\(file.id)"])
            _ = try await storageOrTransient { try await store.markFailed(fileID: file.id, reason: reason) }
            return .conflict
        }
        _ = try await storageOrTransient {
            try await store.markUploaded(fileID: file.id, remotePath: session.path(of: file.name), actor: .cutoff)
        }
        logger.info("file at the bank", metadata: ["file": "\(file.name)", "id": "\(file.id)", "sha256": "\(file.sha256)"])
        return .alreadyThere
    }

    // MARK: Plumbing

    private func storage<T>(_ body: () async throws -> T) async throws(CutoffError) -> T {
        do {
            return try await body()
        } catch {
            throw CutoffError(.internal, String(describing: error))
        }
    }

    /// Storage failures during delivery stop the run (nothing is retried against a broken database).
    private func storageOrTransient<T>(_ body: () async throws -> T) async throws(DestinationError) -> T {
        do {
            return try await body()
        } catch {
            throw DestinationError(.permanent, "storage: \(error)")
        }
    }

    private func inject(_ point: FaultInjector.Point) throws(CutoffError) {
        do { try faults.hit(point) } catch { throw CutoffError(.internal, "injected fault at \(point.rawValue)") }
    }

    private func injectTransient(_ point: FaultInjector.Point) throws(DestinationError) {
        do { try faults.hit(point) } catch { throw DestinationError(.permanent, "injected fault at \(point.rawValue)") }
    }

    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// A holder `host:pid` on this host whose process is gone can be taken over at once.
    static let holderIsGone: @Sendable (String) -> Bool = { holder in
        let parts = holder.split(separator: ":")
        guard parts.count == 2, String(parts[0]) == hostName, let pid = Int32(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

extension ACHTime {
    init(_ date: Date) {
        let parts = Calendar.current.dateComponents([.hour, .minute], from: date)
        self.init(hour: parts.hour ?? 0, minute: parts.minute ?? 0)
    }
}
