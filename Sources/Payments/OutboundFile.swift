import Foundation
import NACHA

/// Where an outbound file is in its life. A file is rendered once; its bytes never change after.
public enum OutboundFileStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded, archived and bound to its payments; not yet sent.
    case rendered
    /// An upload attempt started; the remote side may hold a `.part` or even the final file.
    case uploading
    /// The bank has the exact bytes under the final name; its payments are P_SUBMITTED_TO_CORE.
    case uploaded
    /// Stopped for an operator (for example `remote_conflict`); retry or cancel.
    case failed
    /// Cancelled before upload; its payments went back to unbound P_VALIDATED.
    case cancelled

    /// Statuses the cutoff finishes before taking new work.
    public static let unfinished: [OutboundFileStatus] = [.rendered, .uploading]
}

/// A kind of outbound file: NACHA today, Positive Pay issue files next. Each kind has its renderer;
/// a struct rather than an enum so that a test can define a kind of its own.
public struct OutboundFileKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let nacha = OutboundFileKind(rawValue: "nacha")
}

/// What only a NACHA file has: the header identity acknowledgements quote, and its control totals.
public struct NACHAFileIdentity: Sendable, Hashable {
    public var immediateOrigin: String
    public var immediateDestination: String
    public var creationDate: ACHDate
    public var creationTime: ACHTime
    public var fileIDModifier: String
    public var batchCount: Int
    public var entryAddendaCount: Int
    public var entryHash: Int

    public init(immediateOrigin: String, immediateDestination: String, creationDate: ACHDate, creationTime: ACHTime,
                fileIDModifier: String, batchCount: Int, entryAddendaCount: Int, entryHash: Int) {
        self.immediateOrigin = immediateOrigin
        self.immediateDestination = immediateDestination
        self.creationDate = creationDate
        self.creationTime = creationTime
        self.fileIDModifier = fileIDModifier
        self.batchCount = batchCount
        self.entryAddendaCount = entryAddendaCount
        self.entryHash = entryHash
    }
}

/// One file metl produced, of any kind: its name, its exact bytes' hash, what it carries and where
/// it is in its life. Kind-specific identity lives beside it (`nacha`), out of the fields every
/// kind shares.
public struct OutboundFile: Sendable, Hashable, Identifiable {
    public var id: String
    public var kind: OutboundFileKind
    public var name: String
    public var sha256: String
    public var size: Int64
    public var status: OutboundFileStatus
    /// The payments the file carries.
    public var entryCount: Int
    public var totalDebit: Int64
    public var totalCredit: Int64
    /// Set for NACHA files.
    public var nacha: NACHAFileIdentity?
    /// Content-addressed, read-only copy of the bytes.
    public var archivePath: String
    public var remotePath: String?
    public var attempts: Int
    public var failureReason: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var uploadedAt: Date?

    public init(id: String, kind: OutboundFileKind, name: String, sha256: String, size: Int64, status: OutboundFileStatus,
                entryCount: Int, totalDebit: Int64, totalCredit: Int64, nacha: NACHAFileIdentity? = nil, archivePath: String,
                remotePath: String? = nil, attempts: Int = 0, failureReason: String? = nil, createdAt: Date, updatedAt: Date,
                uploadedAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.sha256 = sha256
        self.size = size
        self.status = status
        self.entryCount = entryCount
        self.totalDebit = totalDebit
        self.totalCredit = totalCredit
        self.nacha = nacha
        self.archivePath = archivePath
        self.remotePath = remotePath
        self.attempts = attempts
        self.failureReason = failureReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.uploadedAt = uploadedAt
    }
}

/// A payment's place in an outbound file: batch, trace number, the line of its entry record and the
/// effective entry date its batch carries (which settlement reports are matched against).
public struct FileBinding: Sendable, Hashable {
    public var paymentID: String
    public var batchNumber: Int
    public var traceNumber: Int
    public var line: Int
    public var effectiveDate: ACHDate?

    public init(paymentID: String, batchNumber: Int, traceNumber: Int, line: Int, effectiveDate: ACHDate? = nil) {
        self.paymentID = paymentID
        self.batchNumber = batchNumber
        self.traceNumber = traceNumber
        self.line = line
        self.effectiveDate = effectiveDate
    }
}

/// A payment ready for a file, with the merchant whose company identity goes into its batch header.
public struct PendingPayment: Sendable, Hashable {
    public var payment: Payment
    public var merchant: Merchant
    public init(payment: Payment, merchant: Merchant) {
        self.payment = payment
        self.merchant = merchant
    }
}

/// Storage for the cutoff: leases, trace numbers, the outbound file ledger and payment bindings.
/// Same contract as `PaymentStore`: each call is one transaction.
public protocol OutboundFileStore: Sendable {
    /// Takes the named lease for `owner` until `expiresAt`, or throws `lockHeld` while another owner's
    /// lease is unexpired. An expired lease is taken over, and so is one whose holder `isGone` says
    /// no longer exists (a killed process on this host).
    func acquireLease(_ name: String, owner: String, holder: String, expiresAt: Date,
                      isGone: @escaping @Sendable (String) -> Bool) async throws(PaymentError)
    func releaseLease(_ name: String, owner: String) async throws(PaymentError)

    /// P_VALIDATED payments not bound to any file, oldest first.
    func unboundValidatedPayments(limit: Int) async throws(PaymentError) -> [PendingPayment]
    /// Reserves `count` trace sequence numbers for an ODFI; returns the first. Never hands out a number twice.
    func reserveTraceNumbers(odfi: Int, count: Int) async throws(PaymentError) -> Int
    /// File ID modifiers already used by NACHA files for (origin, destination, creation date).
    func usedFileIDModifiers(origin: String, destination: String, date: ACHDate) async throws(PaymentError) -> Set<String>

    /// Records a rendered file and persists `binding`, the plan that binds its payments
    /// (`LedgerPlanner.bind`), in one transaction. A payment that changed since it was read refuses
    /// both (`conflict`), so a payment is never bound to two files.
    func recordRenderedFile(_ file: OutboundFile, binding: LedgerPlan) async throws(PaymentError)
    func outboundFile(id: String) async throws(PaymentError) -> OutboundFile
    func outboundFiles(statuses: [OutboundFileStatus]?) async throws(PaymentError) -> [OutboundFile]
    func filePayments(fileID: String) async throws(PaymentError) -> [(payment: Payment, binding: FileBinding)]

    /// Counts an upload attempt: status `uploading`.
    func markUploading(fileID: String) async throws(PaymentError) -> OutboundFile
    /// Status `uploaded` and every bound payment P_VALIDATED → P_SUBMITTED_TO_CORE with a history row
    /// naming the file and the entry's line, in one transaction.
    func markUploaded(fileID: String, remotePath: String, actor: Actor) async throws(PaymentError) -> OutboundFile
    func markFailed(fileID: String, reason: String) async throws(PaymentError) -> OutboundFile
    /// Before upload only: status `cancelled`, payments unbound and left P_VALIDATED, each with a history row.
    func cancelFile(fileID: String, actor: Actor, reason: String) async throws(PaymentError) -> OutboundFile
}

/// The outbound file lifecycle: which status changes are allowed, decided here for every store.
/// rendered → uploading → uploaded; uploading or failed → uploading again (resume, retry);
/// anything not yet at the bank → failed; a file never sent → cancelled.
extension OutboundFile {
    /// An upload attempt starts (the first, a resumed one, or an operator's retry) and is counted.
    public mutating func startUpload(at now: Date) throws(PaymentError) {
        guard [.rendered, .uploading, .failed].contains(status) else {
            throw PaymentError(.invalidStatus, "file \(id) is \(status.rawValue); it cannot be uploaded")
        }
        status = .uploading
        attempts += 1
        failureReason = nil
        updatedAt = now
    }

    /// The bank has the exact bytes at `remotePath`.
    public mutating func confirmUpload(remotePath: String, at now: Date) throws(PaymentError) {
        guard status == .uploading || status == .rendered else {
            throw PaymentError(.invalidStatus, "file \(id) is \(status.rawValue), not being uploaded")
        }
        status = .uploaded
        self.remotePath = remotePath
        uploadedAt = now
        updatedAt = now
    }

    /// Stopped for an operator, with the reason.
    public mutating func fail(reason: String, at now: Date) throws(PaymentError) {
        guard status != .uploaded, status != .cancelled else {
            throw PaymentError(.invalidStatus, "file \(id) is \(status.rawValue)")
        }
        status = .failed
        failureReason = reason
        updatedAt = now
    }

    /// Cancelled before it was ever sent: an `uploading` file, or a failed one that had an attempt,
    /// may already be at the bank.
    public mutating func cancel(reason: String, at now: Date) throws(PaymentError) {
        guard status == .rendered || (status == .failed && uploadedAt == nil && attempts == 0) else {
            throw PaymentError(.invalidStatus,
                               "file \(id) is \(status.rawValue) after \(attempts) upload attempts; only a file never sent can be cancelled")
        }
        status = .cancelled
        failureReason = reason
        updatedAt = now
    }
}
