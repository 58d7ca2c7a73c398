import Foundation
import NACHA
import Payments

/// The renderer for one bank profile's NACHA files: the payments routed to the profile that the
/// run's window takes (`CutoffSchedule`), grouped into files and batches (`FileAssembler`), trace
/// numbers and a file ID modifier reserved, the bytes written and read back through the strict
/// validator. Before it collects, a run settles the same-day payments that missed the day.
public struct NACHAFileRenderer: PaymentFileRenderer {
    public let kind = OutboundFileKind.nacha
    public let archiveExtension = "ach"
    public let profile: BankProfile
    let limits: FileAssembler.Limits
    let filenames: FilenameTemplate
    let lineEnding: Writer.LineEnding
    /// The profile this renderer sends for, as `routing` names profiles.
    let profileName: String
    let routing: ProfileRouting
    let schedule: CutoffSchedule

    public init(profile: BankProfile, limits: FileAssembler.Limits = .init(), filenames: FilenameTemplate = .defaultNACHA,
                lineEnding: Writer.LineEnding = .lf, profileName: String = ProfileRouting.single,
                routing: ProfileRouting = .only(ProfileRouting.single), schedule: CutoffSchedule = .nextDayOnly) {
        self.profile = profile
        self.limits = limits
        self.filenames = filenames
        self.lineEnding = lineEnding
        self.profileName = profileName
        self.routing = routing
        self.schedule = schedule
    }

    /// A NACHA file is its profile's when it carries the profile's origin and destination (no two
    /// profiles share both, so a resumed file goes back to the bank it was made for).
    public func sends(_ file: OutboundFile) -> Bool {
        file.kind == kind && file.nacha.map { $0.immediateOrigin == profile.immediateOrigin && $0.immediateDestination == profile.immediateDestination } ?? true
    }

    /// The unbound P_VALIDATED payments routed to this profile.
    private func routed(_ store: any LedgerStore) async throws(PipelineError) -> [PendingPayment] {
        try await storageStep { try await store.unboundValidatedPayments(limit: 10_000_000) }.filter { routing.profile(for: $0) == profileName }
    }

    public func collect(from store: any LedgerStore, at now: Date) async throws(PipelineError) -> [PendingPayment] {
        let run = schedule.run(at: now)
        return try await routed(store).filter { run.takes($0.payment) }
    }

    /// Same-day payments that no window of the day can take any more: a `same_day` one fails with
    /// `same_day_window_missed` and its funds are released; a `same_day_or_next` one settles the next
    /// banking day, as its request allowed, with a history row saying so.
    public func prepare(_ store: any LedgerStore, now: Date) async throws(PipelineError) -> [String] {
        let run = schedule.run(at: now)
        let missed = try await routed(store).filter { run.missed($0.payment) }
        guard !missed.isEmpty else { return [] }
        let window = schedule.offersSameDay ? "the last Same Day ACH window of \(run.today) has passed"
            : "bank profile \(profileName) has no Same Day ACH window"
        var moved = LedgerPlanner(now: now, endpoints: [:])
        for pending in missed {
            let payment = pending.payment
            if payment.settlement == .sameDayOrNext {
                moved.note(payment, code: Settlement.windowMissedCode, text: "\(window); settles the next banking day, as the request allowed",
                           actor: .cutoff, source: nil, changing: .settlement) { $0.settlement = .nextDay }
            } else {
                let text = "\(window); a same_day payment is never moved to the next day"
                try await storageStep {
                    _ = try await store.transition(paymentID: payment.id, steps: [TransitionStep(
                        to: .failed, actor: .cutoff, reasonCode: Settlement.windowMissedCode, reasonText: text,
                        failure: Failure(code: Settlement.windowMissedCode, message: text))])
                }
            }
        }
        let plan = moved.plan
        if !plan.updates.isEmpty { try await storageStep { try await store.persist(plan) } }
        return []
    }

    public func files(from pending: [PendingPayment], at now: Date) -> [[FileAssembler.BatchPlan]] {
        let run = schedule.run(at: now)
        return FileAssembler(limits: limits, calendar: schedule.calendar).plan(pending, today: run.today,
                                                                               sameDayDescriptiveDate: run.descriptiveDate)
    }

    public func payments(in file: [FileAssembler.BatchPlan]) -> [PendingPayment] {
        file.flatMap { batch in batch.payments.map { PendingPayment(payment: $0, merchant: batch.merchant) } }
    }

    public func render(_ file: [FileAssembler.BatchPlan], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> RenderedFile<FileBinding> {
        let modifier = try await nextModifier(created, excluding: [], store: store)
        let count = file.reduce(0) { $0 + $1.payments.count }
        let firstTrace = try await storageStep {
            try await store.reserveTraceNumbers(odfi: profile.odfiIdentification, count: count)
        }
        return try render(file, created: created, modifier: modifier, firstTrace: firstTrace)
    }

    public func preview(_ files: [[FileAssembler.BatchPlan]], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        var taken: Set<String> = []
        var previews: [(name: String, bytes: [UInt8])] = []
        var trace = 1
        for file in files {
            let modifier = try await nextModifier(created, excluding: taken, store: store)
            taken.insert(modifier)
            let rendered = try render(file, created: created, modifier: modifier, firstTrace: trace)
            trace += rendered.bindings.count
            previews.append((rendered.file.name, rendered.bytes))
        }
        return previews
    }

    private func nextModifier(_ created: Date, excluding taken: Set<String>, store: any OutboundFileStore) async throws(PipelineError) -> String {
        let date = ACHDate(created, in: schedule.timeZone)
        let used = try await storageStep {
            try await store.usedFileIDModifiers(origin: profile.immediateOrigin, destination: profile.immediateDestination, date: date)
        }
        let allowed = FileAssembler.modifiers.prefix(limits.maximumFilesPerDay)
        guard let modifier = allowed.first(where: { !used.contains($0) && !taken.contains($0) }) else {
            throw PipelineError(.fileIDModifiersExhausted, "\(allowed.count) files (file ID modifiers \(allowed.first ?? "A")-\(allowed.last ?? "Z")) "
                                + "already went to \(profile.immediateDestination) on \(date), the most the bank takes in a day")
        }
        return modifier
    }

    private func render(_ plan: [FileAssembler.BatchPlan], created: Date, modifier: String,
                        firstTrace: Int) throws(PipelineError) -> RenderedFile<FileBinding> {
        let date = ACHDate(created, in: schedule.timeZone)
        let time = ACHTime(created, in: schedule.timeZone)
        let header = FileHeader(immediateDestination: profile.immediateDestination, immediateOrigin: profile.immediateOrigin,
                                creationDate: date, creationTime: time, fileIDModifier: modifier,
                                immediateDestinationName: profile.destinationName, immediateOriginName: profile.originName)
        let (model, bindings) = FileAssembler.render(plan, profile: profile, header: header, firstTraceSequence: firstTrace)
        let bytes: [UInt8]
        do {
            bytes = try Writer(lineEnding: lineEnding).render(model)
        } catch {
            throw PipelineError(.invalidFile, "the file could not be rendered: \(error)")
        }
        // Strict validation of the exact bytes, warnings included: what we send conforms, and an
        // invalid file is never recorded, let alone uploaded.
        let check = Reader.read(bytes, options: .init(buildModel: false))
        guard !check.hasErrors, !check.hasWarnings else {
            let first = check.diagnostics.first { $0.severity != .info }.map(\.description) ?? ""
            throw PipelineError(.invalidFile, "the rendered file failed strict validation (\(Words.count(check.errorCount, "error")), "
                                + "\(Words.count(check.warningCount, "warning")), first: \(first))")
        }
        let id = Identifier.make(prefix: OutboundFile.idPrefix, at: created)
        let totals = model.totals
        let file = OutboundFile(
            id: id, kind: kind, name: filenames.name(header: header, id: id), sha256: Archive.sha256(bytes), size: Int64(bytes.count),
            status: .rendered, entryCount: bindings.count, totalDebit: totals.totalDebit, totalCredit: totals.totalCredit,
            nacha: NACHAFileIdentity(immediateOrigin: profile.immediateOrigin, immediateDestination: profile.immediateDestination,
                                     creationDate: date, creationTime: time, fileIDModifier: modifier, batchCount: model.batches.count,
                                     entryAddendaCount: totals.entryAddendaCount, entryHash: totals.entryHash),
            archivePath: "", createdAt: created, updatedAt: created)
        return RenderedFile(file: file, bytes: bytes, bindings: bindings)
    }
}
