import Foundation
import Payments

/// Renders one kind of outbound file. The cutoff asks each renderer for what waits to be sent in
/// its kind (`collect`), has it group that into files and render each one, strictly validated, then
/// archives the bytes and has the renderer record the file with its items bound. What follows is
/// the same for every kind: the exactly-once upload, and the store moving the file's items on when
/// the bank has it. Adding a kind means adding a renderer and registering it in `CutoffJob.Settings`.
public protocol OutboundRenderer: Sendable {
    /// What the kind's files carry: a payment, a check record.
    associatedtype Item: Sendable
    /// One file as planned: which items, and whatever layout the kind decides up front.
    associatedtype FilePlan: Sendable
    /// An item's place in a rendered file.
    associatedtype Binding: Sendable
    var kind: OutboundFileKind { get }
    /// What the kind carries, for the summary.
    var carries: CarriedItems { get }
    /// The extension of the archived copy.
    var archiveExtension: String { get }
    /// What a run (not a preview) settles before it collects: the decisions kind closes the
    /// exceptions whose deadline passed with the bank's default. Returns the items it left out of
    /// every file, each told in a sentence: the run then needs a person (exit 1), the rest still go.
    func prepare(_ store: any LedgerStore, now: Date) async throws(PipelineError) -> [String]
    /// Everything waiting for a file of this kind that a run at `now` sends, oldest first.
    func collect(from store: any LedgerStore, at now: Date) async throws(PipelineError) -> [Item]
    /// The files these items make in a run at `now`, in sending order.
    func files(from items: [Item], at now: Date) -> [FilePlan]
    /// How many items a planned file carries.
    func count(in file: FilePlan) -> Int
    /// Renders one file, reserving what it numbers (trace numbers, file ID modifiers), and strictly
    /// validates the bytes: an invalid file is never recorded. The record has no archive path yet.
    func render(_ file: FilePlan, created: Date, store: any OutboundFileStore) async throws(PipelineError) -> RenderedFile<Binding>
    /// Records the archived file and binds its items, in one transaction; an item that changed
    /// since it was collected refuses the file.
    func record(_ file: OutboundFile, bindings: [Binding], of plan: FilePlan, store: any LedgerStore) async throws(PipelineError)
    /// Whether a recorded file of this kind is this renderer's to finish (a NACHA file: its bank
    /// profile's, by the file's origin and destination).
    func sends(_ file: OutboundFile) -> Bool
    /// What `files` would render now, reserving nothing: numbers shown are provisional.
    func preview(_ files: [FilePlan], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> [(name: String, bytes: [UInt8])]
}

/// What a kind of outbound file carries, as the cutoff's summary counts it.
public enum CarriedItems: Sendable, Hashable {
    case payments, checkRecords, decisions
}

extension OutboundRenderer {
    public func prepare(_ store: any LedgerStore, now: Date) async throws(PipelineError) -> [String] { [] }
    public func sends(_ file: OutboundFile) -> Bool { file.kind == kind }
}

/// A renderer of files that carry payments (NACHA, and a test's own kinds): it collects the
/// unbound P_VALIDATED payments and binds each to its entry.
public protocol PaymentFileRenderer: OutboundRenderer where Item == PendingPayment, Binding == FileBinding {
    /// The payments a planned file carries.
    func payments(in file: FilePlan) -> [PendingPayment]
}

extension PaymentFileRenderer {
    public var carries: CarriedItems { .payments }

    public func collect(from store: any LedgerStore, at now: Date) async throws(PipelineError) -> [PendingPayment] {
        try await storageStep { try await store.unboundValidatedPayments(limit: 10_000_000) }
    }

    public func count(in file: FilePlan) -> Int { payments(in: file).count }

    public func record(_ file: OutboundFile, bindings: [FileBinding], of plan: FilePlan, store: any LedgerStore) async throws(PipelineError) {
        let payments = payments(in: plan)
        // Positions, not copies of the payments: a file binds 100,000 of them.
        var positions: [String: Int] = [:]
        positions.reserveCapacity(payments.count)
        for (index, pending) in payments.enumerated() { positions[pending.payment.id] = index }
        var planner = LedgerPlanner(now: file.createdAt, endpoints: [:])
        planner.reserveCapacity(updates: bindings.count)
        for binding in bindings {
            guard let index = positions[binding.paymentID] else {
                throw PipelineError(.internal, "the \(file.kind) renderer bound payment \(binding.paymentID), which it was not given")
            }
            do { try planner.bind(payments[index].payment, to: binding, fileID: file.id) } catch { throw PipelineError(.internal, error.message) }
        }
        let binding = planner.plan
        try await storageStep { try await store.recordRenderedFile(file, binding: binding) }
    }
}
