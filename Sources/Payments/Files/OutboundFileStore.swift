import Foundation
import NACHA

/// Storage for the cutoff: leases, trace numbers, the outbound file ledger and payment bindings.
/// Same contract as `PaymentStore`: each call is one transaction.
public protocol OutboundFileStore: Sendable {
    /// Takes the named lease for `owner` until `expiresAt`, or throws `lockHeld` while another owner's
    /// lease is unexpired. An expired lease is taken over, and so is one whose holder `isGone` says
    /// no longer exists (a killed process on this host).
    func acquireLease(_ name: String, owner: String, holder: String, expiresAt: Date,
                      isGone: @escaping @Sendable (String) -> Bool) async throws
    func releaseLease(_ name: String, owner: String) async throws
    /// Every lease not released, by name: held now, or expired and not yet taken over.
    func leases() async throws -> [HeldLease]

    /// P_VALIDATED payments not bound to any file, oldest first.
    func unboundValidatedPayments(limit: Int) async throws -> [PendingPayment]
    /// Reserves `count` trace sequence numbers for an ODFI; returns the first. Never hands out a number twice.
    func reserveTraceNumbers(odfi: Int, count: Int) async throws -> Int
    /// File ID modifiers already used by NACHA files for (origin, destination, creation date).
    func usedFileIDModifiers(origin: String, destination: String, date: ACHDate) async throws -> Set<String>

    /// Records a rendered file and persists `binding`, the plan that binds its payments
    /// (`LedgerPlanner.bind`), in one transaction. A payment that changed since it was read refuses
    /// both (`conflict`), so a payment is never bound to two files.
    func recordRenderedFile(_ file: OutboundFile, binding: LedgerPlan) async throws
    func outboundFile(id: String) async throws -> OutboundFile
    func outboundFiles(statuses: [OutboundFileStatus]?) async throws -> [OutboundFile]
    /// Up to `limit` of a file's payments after line `afterLine`, in line order: a page of a file of any size.
    func filePayments(fileID: String, afterLine: Int, limit: Int) async throws -> [(payment: Payment, binding: FileBinding)]

    /// The payments bound to a file, as much of each as a plan for the file's upload reads.
    func boundRequests(fileID: String) async throws -> [BoundRequest]
    /// Writes a file's new status (`OutboundFile`'s lifecycle) with the plans of what it carries, in
    /// one transaction, only while the file is still in `status`; otherwise nothing, and `conflict`.
    func recordFileChange(_ file: OutboundFile, from status: OutboundFileStatus, ledger: LedgerPlan, checks: CheckPlan) async throws
    /// Appends `failures` to the delivery log of their files.
    func recordDeliveryFailures(_ failures: [DeliveryFailure]) async throws
    /// The delivery failures of these files, each file's oldest first.
    func deliveryFailures(fileIDs: [String]) async throws -> [DeliveryFailure]
}

extension OutboundFileStore {
    /// Every payment of a file, in line order.
    public func filePayments(fileID: String) async throws -> [(payment: Payment, binding: FileBinding)] {
        try await filePayments(fileID: fileID, afterLine: 0, limit: Int.max)
    }

    /// Whether the bank has yet to acknowledge `file`, a NACHA file sent within the lookback: its
    /// acknowledgement moves the whole file on, so the first entry's payment tells, in one indexed read.
    /// Older files are reconcile's to report.
    public func awaitsAcknowledgement(_ file: OutboundFile, at now: Date) async throws -> Bool {
        guard file.status == .uploaded, file.kind == .nacha, let uploaded = file.uploadedAt,
              now.timeIntervalSince(uploaded) < OutboundFile.acknowledgementLookback else { return false }
        return try await filePayments(fileID: file.id, afterLine: 0, limit: 1).first?.payment.state == .submittedToCore
    }
}

extension OutboundFile {
    /// How far back sent files are checked for an acknowledgement (the console's Today, the watch).
    public static let acknowledgementLookback: TimeInterval = 7 * 86_400
}
