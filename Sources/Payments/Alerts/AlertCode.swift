/// What an alert is about: a stable code per condition, each with the severity it is raised at.
public enum AlertCode: String, Sendable, Hashable, Codable, CaseIterable {
    /// A cutoff run failed (its key: the bank profile).
    case cutoffFailed = "cutoff_failed"
    /// A delivery window passed with payments that should have gone in it.
    case windowMissed = "window_missed"
    /// A job's lease is held far longer than a run takes.
    case leaseStuck = "lease_stuck"
    /// A file held for approval within 30 minutes of its window's deadline.
    case approvalDeadlineNear = "approval_deadline_near"
    /// A held file expired unapproved.
    case fileExpired = "file_expired"
    /// A sent file the bank has not acknowledged within the profile's hours.
    case fileUnacknowledged = "file_unacknowledged"
    /// The bank rejected a file or a batch.
    case fileRejected = "file_rejected"
    /// A bank file expected by a time has not arrived.
    case bankFileMissing = "bank_file_missing"
    /// A bank file was quarantined.
    case bankFileQuarantined = "bank_file_quarantined"
    /// A bank file reported what the ledger does not hold (a discrepancy).
    case discrepancyOpened = "discrepancy_opened"
    /// A Positive Pay exception is undecided close to its deadline.
    case exceptionDeadlineNear = "exception_deadline_near"
    /// A merchant's webhook endpoint was disabled after failing too long.
    case endpointDisabled = "endpoint_disabled"
    /// More webhook deliveries are dead-lettered than the threshold.
    case deadLetters = "dead_letters"
    /// The audit log's verification found a break.
    case auditVerificationFailed = "audit_verification_failed"
    /// A message an operator sent to try a channel.
    case test

    public var severity: AlertSeverity {
        switch self {
        case .cutoffFailed, .windowMissed, .fileRejected, .fileExpired, .auditVerificationFailed, .exceptionDeadlineNear: .critical
        case .leaseStuck, .approvalDeadlineNear, .fileUnacknowledged, .bankFileMissing, .bankFileQuarantined, .discrepancyOpened,
             .endpointDisabled, .deadLetters: .warning
        case .test: .info
        }
    }
}

/// How urgent an alert is; routes send a code's alerts from a minimum severity up.
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, warning, critical

    public static func < (left: AlertSeverity, right: AlertSeverity) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }
}
