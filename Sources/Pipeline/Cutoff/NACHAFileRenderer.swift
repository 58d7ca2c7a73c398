import Foundation
import NACHA
import Payments

/// The renderer for NACHA files: payments grouped into files and batches (`FileAssembler`), trace
/// numbers and a file ID modifier reserved, the bytes written and read back through the strict
/// validator.
public struct NACHAFileRenderer: PaymentFileRenderer {
    public let kind = OutboundFileKind.nacha
    public let archiveExtension = "ach"
    let profile: BankProfile
    let limits: FileAssembler.Limits
    let filenames: FilenameTemplate
    let lineEnding: Writer.LineEnding

    public init(profile: BankProfile, limits: FileAssembler.Limits = .init(), filenames: FilenameTemplate = .defaultNACHA,
                lineEnding: Writer.LineEnding = .lf) {
        self.profile = profile
        self.limits = limits
        self.filenames = filenames
        self.lineEnding = lineEnding
    }

    public func files(from pending: [PendingPayment], today: ACHDate) -> [[FileAssembler.BatchPlan]] {
        FileAssembler(limits: limits).plan(pending, today: today)
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
        let date = ACHDate(created)
        let used = try await storageStep {
            try await store.usedFileIDModifiers(origin: profile.immediateOrigin, destination: profile.immediateDestination, date: date)
        }
        guard let modifier = FileAssembler.modifiers.first(where: { !used.contains($0) && !taken.contains($0) }) else {
            throw PipelineError(.fileIDModifiersExhausted,
                              "36 files (A-Z, 0-9) already went to \(profile.immediateDestination) on \(date); a 37th would repeat a file ID")
        }
        return modifier
    }

    private func render(_ plan: [FileAssembler.BatchPlan], created: Date, modifier: String,
                        firstTrace: Int) throws(PipelineError) -> RenderedFile<FileBinding> {
        let date = ACHDate(created)
        let time = ACHTime(created)
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
            throw PipelineError(.invalidFile, "the rendered file failed strict validation (\(check.errorCount) errors, "
                                + "\(check.warningCount) warnings, first: \(first))")
        }
        let id = Identifier.make(prefix: "fil", at: created)
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
