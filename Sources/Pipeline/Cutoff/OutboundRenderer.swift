import Foundation
import NACHA
import Payments

/// Renders one kind of outbound file. The cutoff gives each renderer the pending payments it
/// takes; the renderer groups them into files and renders each one, strictly validated. What
/// follows is the same for every kind: archive, record with the payments bound, exactly-once upload.
/// Adding a kind means adding a renderer and registering it in `CutoffJob.Settings.renderers`.
public protocol OutboundRenderer: Sendable {
    /// One file as planned: which payments, and whatever layout the kind decides up front.
    associatedtype FilePlan: Sendable
    var kind: OutboundFileKind { get }
    /// The extension of the archived copy.
    var archiveExtension: String { get }
    /// Whether this kind sends the payment (the first renderer that takes it gets it).
    func takes(_ pending: PendingPayment) -> Bool
    /// The files these payments make, in sending order.
    func files(from pending: [PendingPayment], today: ACHDate) -> [FilePlan]
    /// The payments a planned file carries.
    func payments(in file: FilePlan) -> [PendingPayment]
    /// Renders one file, reserving what it numbers (trace numbers, file ID modifiers), and strictly
    /// validates the bytes: an invalid file is never recorded. The record has no archive path yet.
    func render(_ file: FilePlan, created: Date, store: any OutboundFileStore) async throws(PipelineError) -> RenderedFile
    /// What `files` would render now, reserving nothing: numbers shown are provisional.
    func preview(_ files: [FilePlan], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> [(name: String, bytes: [UInt8])]
}
