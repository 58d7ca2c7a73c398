import BankFiles
import Foundation
import NACHA
import Payments

/// The renderer for decision files: every validated decision in one CSV with a header row,
/// `exception_id,account_number,serial,amount,decision,return_reason` (the bank's exception id,
/// the presented amount in cents). The bytes are read back and compared row by row before anything
/// is archived. Before collecting, a run settles the exceptions past their deadline with the
/// decision the bank applied (`CheckPlanner.settle`), and leaves out every decision its row could
/// not carry plainly (`CheckPlanner.refuseUnwritable`): the others still go, and the run says a
/// person is needed. A file's `totalCredit` is what its returned items give back to the accounts.
public struct DecisionFileRenderer: OutboundRenderer {
    public struct Binding: Sendable, Hashable {
        public var decisionID: String
        public var line: Int
    }

    public static let header = "exception_id,account_number,serial,amount,decision,return_reason"
    public let kind = OutboundFileKind.decisions
    public let carries = CarriedItems.decisions
    public let archiveExtension = "csv"
    let filenames: FilenameTemplate
    /// The bank profile's time zone: the date and time in file names, as for every kind.
    let timeZone: TimeZone

    public init(filenames: FilenameTemplate = .defaultDecisions, timeZone: TimeZone = .current) {
        self.filenames = filenames
        self.timeZone = timeZone
    }

    public func prepare(_ store: any LedgerStore, now: Date) async throws(PipelineError) -> [String] {
        _ = try await storageStep { try await store.closeLapsedExceptions(at: now, actor: .cutoff) }
        let unwritable = try await storageStep { try await store.pendingDecisions(limit: 1_000_000) }.compactMap { pending in
            Self.unwritable(pending).map { (pending.decision, $0) }
        }
        guard !unwritable.isEmpty else { return [] }
        var planner = CheckPlanner(now: now, endpoints: [:])
        for (decision, reason) in unwritable {
            do { try planner.refuseUnwritable(decision, reason: reason, actor: .cutoff) } catch { throw PipelineError(.internal, error.message) }
        }
        let plan = planner.plan
        try await storageStep { try await store.persist(plan) }
        return unwritable.map { "decision \($0.0.id) on exception \($0.0.exceptionID) left out of the decision file: \($0.1)" }
    }

    /// Why a decision's row cannot be written plainly in the CSV (a comma, a quote or a control
    /// character in a field: bank ids are the one free-text field that is not ours), or nil.
    static func unwritable(_ pending: PendingDecision) -> String? {
        let fields = zip(["exception_id", "account_number", "serial", "amount", "decision", "return_reason"], row(pending))
        let bad = fields.filter { $0.1.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 < 0x20 || $0 == 0x7F } }.map(\.0)
        return bad.isEmpty ? nil : "its \(bad.joined(separator: " and ")) cannot be written in the decision file's CSV"
    }

    public func collect(from store: any LedgerStore, at now: Date) async throws(PipelineError) -> [PendingDecision] {
        try await storageStep { try await store.pendingDecisions(limit: 1_000_000) }
    }

    public func files(from items: [PendingDecision], at now: Date) -> [[PendingDecision]] { items.isEmpty ? [] : [items] }

    public func count(in file: [PendingDecision]) -> Int { file.count }

    public func render(_ file: [PendingDecision], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> RenderedFile<Binding> {
        try render(file, created: created)
    }

    public func preview(_ files: [[PendingDecision]], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        try files.map { file throws(PipelineError) in
            let rendered = try render(file, created: created)
            return (rendered.file.name, rendered.bytes)
        }
    }

    public func record(_ file: OutboundFile, bindings: [Binding], of plan: [PendingDecision], store: any LedgerStore) async throws(PipelineError) {
        var decisions: [String: ExceptionDecision] = [:]
        for pending in plan { decisions[pending.decision.id] = pending.decision }
        var planner = CheckPlanner(now: file.createdAt, endpoints: [:])
        for binding in bindings {
            guard let decision = decisions[binding.decisionID] else {
                throw PipelineError(.internal, "the decisions renderer bound decision \(binding.decisionID), which it was not given")
            }
            do { try planner.bind(decision, fileID: file.id, line: binding.line) } catch { throw PipelineError(.internal, error.message) }
        }
        let binding = planner.plan
        try await storageStep { try await store.recordRenderedFile(file, checks: binding) }
    }

    static func row(_ pending: PendingDecision) -> [String] {
        [pending.exception.bankReference, pending.account.accountNumber, pending.exception.serial, String(pending.exception.presentedAmount),
         pending.decision.decision.rawValue, pending.decision.returnReason ?? ""]
    }

    private func render(_ file: [PendingDecision], created: Date) throws(PipelineError) -> RenderedFile<Binding> {
        let rows = file.map(Self.row)
        // `prepare` left out every row that cannot be written plainly; one that changed since is refused, never written.
        if let reason = file.lazy.compactMap(Self.unwritable).first {
            throw PipelineError(.invalidFile, "a decision cannot be written: \(reason)")
        }
        let bytes = Array(([Self.header] + rows.map { $0.joined(separator: ",") }).map { $0 + "\r\n" }.joined().utf8)
        // Read back as the bank would: the header, then the rows meant, in order.
        let read = (try? CSVTokenizer.records(String(decoding: bytes, as: UTF8.self))) ?? []
        guard read.first?.fields.joined(separator: ",") == Self.header, read.dropFirst().map(\.fields) == rows else {
            throw PipelineError(.invalidFile, "the decision file read back differs from the decisions meant")
        }
        let id = Identifier.make(prefix: OutboundFile.idPrefix, at: created)
        guard let returned = CheckedTotal.sum(file.filter { $0.decision.decision == .return }.map(\.exception.presentedAmount)) else {
            throw PipelineError(.invalidFile, "the returned items' amounts add up past what a total holds")
        }
        let outbound = OutboundFile(id: id, kind: kind, name: filenames.name(date: ACHDate(created, in: timeZone), time: ACHTime(created, in: timeZone), id: id, fields: [:]),
                                    sha256: Archive.sha256(bytes), size: Int64(bytes.count), status: .rendered, entryCount: file.count,
                                    totalDebit: 0, totalCredit: returned, archivePath: "", createdAt: created, updatedAt: created)
        return RenderedFile(file: outbound, bytes: bytes,
                            bindings: file.enumerated().map { Binding(decisionID: $1.decision.id, line: $0 + 2) })
    }
}
