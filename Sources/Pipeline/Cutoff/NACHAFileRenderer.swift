import Foundation
import Logging
import NACHA
import Payments

extension FaultInjector.Point {
    /// After a rendered file and its bindings are committed, before any upload.
    public static let afterFileRecorded = Self(rawValue: "after_file_recorded")
}

/// The renderer for NACHA files: a planned file's batches → bytes → strict validation → archive →
/// the file recorded with its payments bound, in that order, so no invalid or unarchived file is
/// ever recorded, let alone uploaded.
struct NACHAFileRenderer: Sendable {
    let profile: BankProfile
    let archive: Archive
    let filenames: FilenameTemplate
    let lineEnding: Writer.LineEnding
    let store: any OutboundFileStore
    let logger: Logger
    let faults: FaultInjector

    func renderAndRecord(_ plan: [FileAssembler.BatchPlan], created: Date) async throws(CutoffError) -> OutboundFile {
        let modifier = try await nextModifier(created, excluding: [])
        let entryCount = plan.reduce(0) { $0 + $1.payments.count }
        let firstTrace = try await storageStep {
            try await store.reserveTraceNumbers(odfi: profile.odfiIdentification, count: entryCount)
        }
        let (file, bytes, bindings) = try render(plan, created: created, modifier: modifier, firstTrace: firstTrace)
        var recorded = file
        recorded.archivePath = try archive.store(bytes, kind: "outbound", extension: "ach")
        try await storageStep { try await store.recordRenderedFile(recorded, bindings: bindings) }
        logger.info("file rendered", metadata: ["file": "\(file.name)", "id": "\(file.id)", "entries": "\(entryCount)",
                                                "sha256": "\(file.sha256)"])
        do { try faults.hit(.afterFileRecorded) } catch { throw CutoffError(.internal, "injected fault at \(FaultInjector.Point.afterFileRecorded.rawValue)") }
        return recorded
    }

    /// What these plans would render now, recording, reserving and sending nothing. Trace numbers
    /// start at 1 and file ID modifiers are the next free ones: both provisional.
    func preview(_ plans: [[FileAssembler.BatchPlan]], created: Date) async throws(CutoffError) -> [(name: String, bytes: [UInt8])] {
        var taken: Set<String> = []
        var files: [(name: String, bytes: [UInt8])] = []
        var trace = 1
        for plan in plans {
            let modifier = try await nextModifier(created, excluding: taken)
            taken.insert(modifier)
            let (file, bytes, _) = try render(plan, created: created, modifier: modifier, firstTrace: trace)
            trace += plan.reduce(0) { $0 + $1.payments.count }
            files.append((file.name, bytes))
        }
        return files
    }

    private func nextModifier(_ created: Date, excluding taken: Set<String>) async throws(CutoffError) -> String {
        let date = ACHDate(created)
        let used = try await storageStep {
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
            throw CutoffError(.invalidFile, "the file could not be rendered: \(error)")
        }
        // Strict validation of the exact bytes: an invalid file is never recorded, let alone uploaded.
        let check = Reader.read(bytes, options: .init(buildModel: false))
        guard !check.hasErrors else {
            let first = check.diagnostics.first { $0.severity == .error }.map(\.description) ?? ""
            throw CutoffError(.invalidFile, "the rendered file failed validation (\(check.errorCount) errors, first: \(first))")
        }
        let id = Identifier.make(prefix: "fil", at: created)
        let totals = model.totals
        let file = OutboundFile(
            id: id, name: filenames.name(header: header, id: id), sha256: Archive.sha256(bytes), size: Int64(bytes.count),
            status: .rendered, immediateOrigin: profile.immediateOrigin, immediateDestination: profile.immediateDestination,
            creationDate: date, creationTime: time, fileIDModifier: modifier, batchCount: model.batches.count,
            entryAddendaCount: totals.entryAddendaCount, entryHash: totals.entryHash, totalDebit: totals.totalDebit,
            totalCredit: totals.totalCredit, archivePath: "", createdAt: created, updatedAt: created)
        return (file, bytes, bindings)
    }
}
