import Foundation

/// One file metl produced, of any kind: its name, its exact bytes' hash, what it carries and where
/// it is in its life. Kind-specific identity lives beside it (`nacha`), out of the fields every
/// kind shares.
public struct OutboundFile: Sendable, Hashable, Identifiable {
    /// What every outbound file id starts with, before `_`: `fil_…`.
    public static let idPrefix = "fil"

    /// An OpenPGP-sealed file: the plaintext metl rendered (what auditors inspect) and the keys it
    /// was sealed with. The file's own `sha256`, `size`, `name` and `archivePath` are then the
    /// sealed bytes the bank receives, which every upload, resumed or retried, sends unchanged.
    public struct Sealing: Sendable, Hashable {
        public var plaintextSHA256: String
        public var plaintextSize: Int64
        public var plaintextArchivePath: String
        /// The bank's key: full fingerprint.
        public var recipient: String
        /// Our signing key, when the file is signed.
        public var signer: String?

        public init(plaintextSHA256: String, plaintextSize: Int64, plaintextArchivePath: String, recipient: String, signer: String?) {
            self.plaintextSHA256 = plaintextSHA256
            self.plaintextSize = plaintextSize
            self.plaintextArchivePath = plaintextArchivePath
            self.recipient = recipient
            self.signer = signer
        }
    }

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
    /// Set for files sealed with OpenPGP.
    public var sealing: Sealing?
    /// Content-addressed, read-only copy of the bytes.
    public var archivePath: String
    public var remotePath: String?
    public var attempts: Int
    public var failureReason: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var uploadedAt: Date?
    /// Set on a file its profile holds for approval: the approvals it needs and has.
    public var approval: ApprovalCount?
    /// When a held file's approval window closes: the bank deadline of the window it was rendered
    /// for, or the end of its banking day. Unapproved then, it expires.
    public var approvalDeadline: Date?
    /// The bank profile whose cutoff rendered it; nil under a configuration without profiles, and
    /// for files rendered before metl recorded it.
    public var profile: String?

    public init(id: String, kind: OutboundFileKind, name: String, sha256: String, size: Int64, status: OutboundFileStatus,
                entryCount: Int, totalDebit: Int64, totalCredit: Int64, nacha: NACHAFileIdentity? = nil, sealing: Sealing? = nil,
                archivePath: String,
                remotePath: String? = nil, attempts: Int = 0, failureReason: String? = nil, createdAt: Date, updatedAt: Date,
                uploadedAt: Date? = nil, approval: ApprovalCount? = nil, approvalDeadline: Date? = nil, profile: String? = nil) {
        self.profile = profile
        self.approval = approval
        self.approvalDeadline = approvalDeadline
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
        self.sealing = sealing
        self.archivePath = archivePath
        self.remotePath = remotePath
        self.attempts = attempts
        self.failureReason = failureReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.uploadedAt = uploadedAt
    }
}

/// The outbound file lifecycle: which status changes are allowed, decided here for every store.
/// rendered → uploading → uploaded; uploading or failed → uploading again (resume, retry);
/// anything not yet at the bank → failed; a file never sent → cancelled. A held file:
/// awaiting_approval → rendered (approved), rejected, expired or cancelled.
extension OutboundFile {
    /// Held for `required` approvals until `deadline`: how the cutoff records a file its profile's rule holds.
    public mutating func hold(required: Int, until deadline: Date) {
        status = .awaitingApproval
        approval = ApprovalCount(required: required)
        approvalDeadline = deadline
    }

    /// One more approval (checked by `ApprovalReview`); the last one needed releases the file to the cutoff.
    public mutating func countApproval(at now: Date) throws(PaymentError) {
        guard status == .awaitingApproval, var count = approval, !count.isComplete else {
            throw PaymentError(.invalidStatus, "file \(id) is \(status.rawValue), not awaiting approval")
        }
        count.given += 1
        approval = count
        if count.isComplete { status = .rendered }
        updatedAt = now
    }

    /// Rejected by an approver, or expired unapproved at its deadline: stopped, never to be sent.
    public mutating func stopHeld(_ stop: OutboundFileStatus, reason: String, at now: Date) throws(PaymentError) {
        guard status == .awaitingApproval, stop == .rejected || stop == .expired else {
            throw PaymentError(.invalidStatus, "file \(id) is \(status.rawValue), not awaiting approval")
        }
        if stop == .expired, let approvalDeadline, now < approvalDeadline {
            throw PaymentError(.invalidStatus, "file \(id) may be approved until \(Timestamp.format(approvalDeadline))")
        }
        status = stop
        failureReason = reason
        updatedAt = now
    }

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
        guard status != .uploaded, !status.isStopped, status != .awaitingApproval else {
            throw PaymentError(.invalidStatus, "file \(id) is \(status.rawValue)")
        }
        status = .failed
        failureReason = reason
        updatedAt = now
    }

    /// Cancelled before it was ever sent: an `uploading` file, or a failed one that had an attempt,
    /// may already be at the bank.
    public mutating func cancel(reason: String, at now: Date) throws(PaymentError) {
        guard status == .rendered || status == .awaitingApproval || (status == .failed && uploadedAt == nil && attempts == 0) else {
            throw PaymentError(.invalidStatus,
                               "file \(id) is \(status.rawValue) after \(attempts) upload attempts; only a file never sent can be cancelled")
        }
        status = .cancelled
        failureReason = reason
        updatedAt = now
    }
}
