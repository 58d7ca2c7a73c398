import BankFiles
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OpenPGP
import Payments

/// Turns the bank's files into payment events: acknowledgements → P_PROCESSING (or P_FAILED for
/// rejected files and batches), BAI2 settlement → P_COMPLETED, returns → P_FAILED, NOCs → corrections.
/// Each file is detected, deduped and archived here, then read from the archive by the
/// `InboundProcessor` of its kind a piece at a time. It is decided whole (a file that cannot be
/// applied exactly is quarantined with a precise reason and nothing of it applied, and never stops
/// the others), then applied a piece per transaction (`InboundApplication`), so a large file neither
/// holds up the API nor is held in memory. The same bytes twice are a duplicate, except that a file
/// a dead run left `applying` is resumed.
public struct IngestJob: Sendable {
    public struct Outcome: Sendable, Codable {
        public var name: String
        public var id: String
        public var kind: InboundKind
        public var status: Status
        @Nullable public var reason: String?
        /// Changes applied to payments, checks and decisions (history rows), discrepancies and notes aside.
        public var applied: Int
        public var exceptionsOpened: Int
        /// Payments the bank rejected, a file or batch at a time (acknowledgements).
        public var rejected: Int
        /// Records that contradict the ledger, each noted on its payment or check.
        public var discrepancies: Int
        /// Records noted and not applied (refused, unmatched), beside the discrepancies.
        public var noted: Int
        /// Things a person should know that did not stop the file (unmatched settlement lines, pended acks).
        public var notes: [String]

        /// How an entry of a source ended: its recorded file's status, or refused.
        public enum Status: String, Sendable, Codable {
            case processed, applying, duplicate, quarantined, dismissed
            /// Not a regular file: not read, not recorded, left where it is.
            case refused

            init(_ status: InboundFile.Status) {
                switch status {
                case .processed: self = .processed
                case .applying: self = .applying
                case .duplicate: self = .duplicate
                case .quarantined: self = .quarantined
                case .dismissed: self = .dismissed
                }
            }

            /// Quarantined or refused: a person looks at it.
            public var needsAttention: Bool { self == .quarantined || self == .refused }
        }

        init(name: String, id: String, kind: InboundKind, status: Status, reason: String?, applied: Int, effects: InboundEffects = InboundEffects()) {
            self.name = name
            self.id = id
            self.kind = kind
            self.status = status
            self.reason = reason
            self.applied = applied
            exceptionsOpened = effects.exceptionsOpened
            rejected = effects.rejected
            discrepancies = effects.discrepancies
            noted = effects.noted
            notes = effects.keptNotes
        }

        /// A file's outcome: what it is, how it ended and what it did.
        init(_ file: InboundFile, name: String, effects: InboundEffects) {
            self.init(name: name, id: file.id, kind: file.kind, status: Status(file.status), reason: file.reason,
                      applied: file.applied, effects: effects)
        }

        enum CodingKeys: String, CodingKey {
            case name, id, kind, status, reason, applied, exceptionsOpened = "exceptions_opened", rejected, discrepancies, noted, notes
        }
    }

    let store: any LedgerStore
    let archive: Archive
    let logger: Logger
    /// One processor per inbound kind, asked in order which kind a file is.
    let processors: [any InboundProcessor]
    /// A larger file is hashed and quarantined but neither kept nor parsed.
    let maximumFileBytes: Int64
    public static let defaultMaximumFileBytes: Int64 = 1 << 30
    /// Events applied per transaction.
    let chunkSize: Int
    /// How OpenPGP files are opened; without it they are quarantined.
    let opening: OpenPGPOpening?
    /// The time a file's time rules (a deadline already past) are judged at: now, or a demo's fixed clock.
    let clock: @Sendable () -> Date

    public init(store: any LedgerStore, archive: Archive, logger: Logger,
                processors: [any InboundProcessor] = IngestJob.standardProcessors,
                maximumFileBytes: Int64 = IngestJob.defaultMaximumFileBytes, chunkSize: Int = 2_000, opening: OpenPGPOpening? = nil,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.archive = archive
        self.logger = logger
        self.processors = processors
        self.maximumFileBytes = maximumFileBytes
        self.chunkSize = max(1, chunkSize)
        self.opening = opening
        self.clock = clock
    }

    /// Returns and NOCs, acknowledgements, BAI2 settlement and paid checks, ARP output, check exceptions.
    public static let standardProcessors: [any InboundProcessor] = [
        NACHAReturnsProcessor(), FedACHAcknowledgementProcessor(), BAI2Processor(), ARPOutputProcessor(), CheckExceptionProcessor(),
    ]

    /// Ingests every file `source` offers, in order, and moves each recorded one aside at the source
    /// (processed, duplicate or quarantined alike). An entry that is not a regular file is refused:
    /// not read, not recorded, left where it is. Removes temporary files a killed run left first.
    /// Throws the source's `DestinationError` when it fails, or a `PipelineError` when storage does.
    public func ingest(from source: any InboundSource) async throws -> [Outcome] {
        let removed = archive.removeStaleTemporaryFiles()
        if removed > 0 { logger.notice("removed temporary files of an earlier run that died", metadata: ["count": "\(removed)"]) }
        var outcomes: [Outcome] = []
        for name in try await source.names() {
            let opened: Result<Int32, DestinationError>
            do {
                opened = .success(try await source.open(name, scratch: archive))
            } catch {
                opened = .failure(error)
            }
            switch opened {
            case .failure(let error) where error.kind == .refused:
                logger.error("ALERT inbound entry refused", metadata: ["file": "\(name)", "reason": "\(error.message)"])
                outcomes.append(Outcome(name: name, id: "", kind: .unknown, status: .refused,
                                        reason: error.message, applied: 0))
            case .failure(let error):
                throw error
            case .success(let descriptor):
                defer { Glibc.close(descriptor) }
                outcomes.append(try await ingest(descriptor: descriptor, name: name, source: "\(source)/\(name)"))
                try await source.archive(name)
            }
        }
        return outcomes
    }

    /// Ingests bytes already in memory.
    public func ingest(_ bytes: [UInt8], name: String, source: String) async throws(PipelineError) -> Outcome {
        let writer = try archive.begin()
        if Int64(bytes.count) > maximumFileBytes { writer.discardContent() }
        try writer.append(bytes)
        return try await record(writer, name: name, source: source)
    }

    /// Ingests an open file, streamed into the archive in constant memory.
    func ingest(descriptor: Int32, name: String, source: String) async throws(PipelineError) -> Outcome {
        let writer = try archive.begin()
        try copy(descriptor, into: writer, name: name)
        return try await record(writer, name: name, source: source)
    }

    private func copy(_ descriptor: Int32, into writer: Archive.Writer, name: String) throws(PipelineError) {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, chunk)
            guard count >= 0 else { throw PipelineError(.internal, "cannot read \(name)") }
            if count == 0 { return }
            if !writer.isDiscarding, writer.size + Int64(count) > maximumFileBytes { writer.discardContent() }
            try writer.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Records one file whose bytes are in `writer` (archived unless over the limit), then applies it
    /// or quarantines it. Throws only when storage fails (the file then stays where it was for the next run).
    private func record(_ writer: Archive.Writer, name: String, source: String) async throws(PipelineError) -> Outcome {
        let (sha, size, oversized) = (writer.sha256, writer.size, writer.isDiscarding)
        let archivePath = oversized ? "" : try writer.commit(kind: "inbound", extension: "txt").path
        let received = Date()
        let id = Identifier.make(prefix: InboundFile.idPrefix, at: received)
        let file = InboundFile(id: id, sha256: sha, kind: .unknown, source: source, name: name, size: size,
                               status: .processed, archivePath: archivePath, receivedAt: received)
        func outcome(_ file: InboundFile, effects: InboundEffects) -> Outcome { Outcome(file, name: name, effects: effects) }
        if let earlier = try await storageStep({ try await store.inboundFile(sha256: sha) }) {
            return try await duplicate(file, of: earlier, outcome)
        }
        if oversized {
            return try await quarantined(file, "\(size) bytes, over the limit of \(maximumFileBytes) bytes; not archived or read", outcome)
        }
        return try await open(file, head: writer.head, retry: nil, outcome)
    }

    /// Applies a quarantined file again once an operator has fixed its cause (an outbound record
    /// restored, a profile corrected): every check again, from its archived bytes; there is no way to
    /// skip one. Applied or quarantined again, the outcome goes into the file's notes with who asked.
    public func retry(inboundID: String, by person: String, at now: Date = Date()) async throws(PipelineError) -> Outcome {
        let file = try await storageStep {
            do {
                return try await store.inboundFile(id: inboundID)
            } catch let error as PaymentError where error.code == .notFound {
                throw PipelineError(.notFound, error.message)
            }
        }
        guard file.status == .quarantined else {
            throw PipelineError(.invalidStatus, "inbound file \(file.name) (\(file.id)) is \(file.status.rawValue); only a quarantined file is retried")
        }
        guard !file.archivePath.isEmpty else {
            throw PipelineError(.invalidStatus, "inbound file \(file.name) (\(file.id)) was over the size limit and not archived; "
                                + "ingest it again from the bank")
        }
        // A file that was opened is retried from its plaintext; one that could not be, from the bytes received.
        let head = Array(try archive.read(file.opening?.sealedArchivePath ?? file.archivePath).prefix(Archive.Writer.headLength))
        var retried = file
        retried.opening = nil
        retried.archivePath = file.opening?.sealedArchivePath ?? file.archivePath
        let retry = Retry(person: person, at: now, previousReason: file.reason ?? "")
        logger.notice("retrying a quarantined inbound file", metadata: ["file": "\(file.name)", "id": "\(file.id)", "by": "\(person)"])
        return try await open(retried, head: head, retry: retry) { Outcome($0, name: $0.name, effects: $1) }
    }

    /// Who retried a quarantined file, and when.
    struct Retry {
        var person: String
        var at: Date
        var previousReason: String

        var note: String { "retried by \(person) at \(Timestamp.format(at)) (it was quarantined: \(previousReason))" }
    }

    /// Opens a sealed file, picks the processor of its kind and applies it, or quarantines it.
    private func open(_ file: InboundFile, head: [UInt8], retry: Retry?,
                      _ outcome: (InboundFile, InboundEffects) -> Outcome) async throws(PipelineError) -> Outcome {
        var file = file
        let sealed = OpenPGPData.recognises(head)
        // A required signer is absolute: whatever the bytes claim to be, only a message signed by the
        // bank's key is read. This comes before kind detection, so no kind escapes it.
        if let signer = opening?.requiredSigner, !sealed {
            return try await quarantined(file, OpenPGPOpening.unsignedReason + ": not an OpenPGP message; a signature by the bank's key "
                                         + "\(signer) is required for every inbound file", retry: retry, outcome)
        }
        var processor = file.size == 0 || sealed ? nil : processors.first { $0.recognises(head) }
        file.kind = processor?.kind ?? .unknown
        var readSize = file.size
        if sealed {
            guard let opening else { return try await quarantined(file, "OpenPGP data, and no GnuPG home to decrypt it", retry: retry, outcome) }
            // The plaintext streams into the archive; past the size limit it is refused, nothing of it kept.
            let plaintext = try archive.begin()
            switch try await opening.open(archive.location(file.archivePath), into: plaintext, plaintextLimit: maximumFileBytes) {
            case .refused(let reason):
                plaintext.abandon()
                return try await quarantined(file, reason, retry: retry, outcome)
            case .opened(let signer):
                // The plaintext is what the processor reads; the bytes received stay archived beside it.
                file.opening = InboundFile.Opening(sealedArchivePath: file.archivePath, plaintextSHA256: plaintext.sha256,
                                                   signer: signer?.hex)
                file.archivePath = try plaintext.commit(kind: "inbound", extension: "txt").path
                processor = plaintext.size == 0 ? nil : processors.first { $0.recognises(plaintext.head) }
                file.kind = processor?.kind ?? .unknown
                readSize = plaintext.size
            }
        }
        guard let processor else {
            // Not parsed, so never read back from the archive.
            return try await quarantined(file, (readSize == 0 ? "empty file" : Self.unknownKindReason) + (sealed ? ", inside OpenPGP" : ""),
                                         retry: retry, outcome)
        }
        return try await apply(processor, to: file, retry: retry, outcome)
    }

    /// Reads `file` through `processor` and applies it a piece per transaction (`InboundApplication`),
    /// or quarantines it when it cannot be applied and nothing was.
    private func apply(_ processor: any InboundProcessor, to file: InboundFile, resuming: Bool = false, retry: Retry? = nil,
                       _ outcome: (InboundFile, InboundEffects) -> Outcome) async throws(PipelineError) -> Outcome {
        let application = InboundApplication(store: store, archive: archive, logger: logger, chunkSize: chunkSize, now: clock())
        let result: Result<(InboundFile, InboundEffects), InboundApplication.Refusal>
        do {
            result = try await application.apply(processor, to: file, start: resuming ? .resuming : retry.map { .retrying(note: $0.note) } ?? .new)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.internal, String(describing: error))
        }
        switch result {
        case .success(let (applied, effects)):
            logger.info("inbound file applied", metadata: ["file": "\(file.name)", "kind": "\(file.kind)", "applied": "\(applied.applied)"])
            for note in effects.notes { logger.warning("inbound file needs attention", metadata: ["file": "\(file.name)", "note": "\(note)"]) }
            return outcome(applied, effects)
        case .failure(.refused(let reason)):
            return try await quarantined(file, reason, retry: retry, outcome)
        case .failure(.recordedMeanwhile(let earlier)):
            return try await duplicate(file, of: earlier, { outcome($0, $1) })
        }
    }

    /// Records `file` as a duplicate of `earlier`, the same bytes received before; resumes `earlier`
    /// if a run that died left it applying, and repeats its quarantine if it is quarantined.
    private func duplicate(_ file: InboundFile, of earlier: InboundFile,
                           _ outcome: (InboundFile, InboundEffects) -> Outcome) async throws(PipelineError) -> Outcome {
        var file = file
        file.status = .duplicate
        file.kind = earlier.kind // the same bytes: what the first copy was read as
        file.reason = "same bytes as \(earlier.name) (\(earlier.id)), \(earlier.status.rawValue) at \(Timestamp.format(earlier.receivedAt))"
        try await storageStep { try await store.recordInbound(file) }
        logger.notice("duplicate inbound file", metadata: ["file": "\(file.name)", "first": "\(earlier.id)"])
        if earlier.status == .applying { return try await resume(earlier, outcome) }
        guard earlier.status == .quarantined else { return outcome(file, InboundEffects()) }
        // Still quarantined: the operator hears the first outcome again, and the run still needs attention.
        var repeated = outcome(file, InboundEffects())
        repeated.status = .quarantined
        let firstReason: String = earlier.reason ?? "no reason recorded"
        repeated.reason = "\(file.reason ?? ""): \(firstReason)"
        return repeated
    }

    /// Applies the rest of a file a run that died left `applying`, from its archived copy.
    private func resume(_ file: InboundFile, _ outcome: (InboundFile, InboundEffects) -> Outcome) async throws(PipelineError) -> Outcome {
        logger.notice("resuming an inbound file a run left applying", metadata: ["file": "\(file.name)", "id": "\(file.id)",
                                                                                "applied_events": "\(file.appliedEvents)"])
        guard let processor = processors.first(where: { $0.kind == file.kind }) else {
            throw PipelineError(.internal, "no processor for \(file.kind) to resume \(file.id)")
        }
        return try await apply(processor, to: file, resuming: true, outcome)
    }

    private func quarantined(_ file: InboundFile, _ reason: String, retry: Retry? = nil,
                             _ outcome: (InboundFile, InboundEffects) -> Outcome) async throws(PipelineError) -> Outcome {
        var file = file
        file.status = .quarantined
        file.reason = reason
        if let retry {
            file.notes.append(retry.note + "; quarantined again")
            try await storageStep { try await store.retryInbound(file) }
        } else {
            try await storageStep { try await store.recordInbound(file) }
        }
        logger.error("ALERT inbound file quarantined", metadata: ["file": "\(file.name)", "reason": "\(reason)"])
        return outcome(file, InboundEffects())
    }

    static let unknownKindReason = "not a NACHA file, FedACH acknowledgement or BAI2 report"
}
