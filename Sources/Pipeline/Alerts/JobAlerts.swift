import Foundation
import Logging
import NACHA
import Payments

/// What the jobs see, as alerts: a cutoff that failed or missed its window (resolved by the next
/// good run of its profile), files expired unapproved, payments the bank rejected, bank files that
/// contradict the ledger, quarantined bank files (resolved once dismissed or retried), an audit
/// verification that fails, and the conditions of time that a watcher evaluates. Raising never fails
/// a job: a store that cannot take the alert is logged, and the job's own outcome stands.
public struct JobAlerts: Sendable {
    public let store: any LedgerStore
    public let routing: AlertRouting
    public let logger: Logger

    /// Thresholds of the time-based conditions.
    public struct Thresholds: Sendable, Hashable {
        /// An undecided Positive Pay exception this close to its deadline is raised.
        public var exceptionLead: TimeInterval = 2 * 3600
        /// A file held for approval this close to its window's deadline is raised.
        public var approvalLead: TimeInterval = 30 * 60
        /// A sent file not acknowledged this long after its upload is raised.
        public var acknowledgementWait: TimeInterval = 4 * 3600
        /// The same, for the files of a profile that sets its own.
        public var acknowledgementWaitByProfile: [String: TimeInterval] = [:]
        /// More dead-lettered webhook deliveries than this are raised.
        public var deadLetters = 0
        /// A job lease not released this long after it was taken is raised: a cutoff holds its
        /// lease for its window (15 minutes by default) and a few minutes' grace at most.
        public var leaseHeld: TimeInterval = 30 * 60
        /// News no later state clears (a rejection, a discrepancy) stays open this long.
        public var news: TimeInterval = 86_400

        public init() {}
    }

    public init(store: any LedgerStore, routing: AlertRouting, logger: Logger) {
        self.store = store
        self.routing = routing
        self.logger = logger
    }

    /// A profile's cutoff run ended: `error` raises `cutoff_failed` (and `window_missed`), none
    /// resolves them; files it expired are raised one by one.
    public func cutoffEnded(profile: String?, summary: CutoffJob.Summary, error: PipelineError?, at now: Date) async {
        let key = profile ?? ProfileRouting.single
        await guarded("cutoff") {
            if let error {
                try await store.raise(.cutoffFailed, key: key, summary: "the cutoff of profile \(key) stopped: \(error.message)",
                                      routing: routing, at: now)
                if error.code == .windowMissed {
                    try await store.raise(.windowMissed, key: key, summary: error.message, routing: routing, at: now)
                }
            } else {
                try await store.resolve(.cutoffFailed, key: key, routing: routing, at: now)
                try await store.resolve(.windowMissed, key: key, routing: routing, at: now)
            }
            for file in summary.files where file.status == OutboundFileStatus.expired.rawValue {
                try await store.raise(.fileExpired, key: file.name, summary: "\(file.name) expired unapproved; its items wait for a new file",
                                      routing: routing, at: now)
            }
        }
    }

    /// A run of ingest ended: each acknowledgement that rejected payments raises `file_rejected`,
    /// each bank file that contradicted the ledger `discrepancy_opened` (news: the watch resolves
    /// them after a day), and quarantined bank files are settled.
    public func ingestEnded(_ outcomes: [IngestJob.Outcome], at now: Date) async {
        await guarded("ingest") {
            for outcome in outcomes where outcome.rejected > 0 {
                try await store.raise(.fileRejected, key: outcome.id, summary: "\(outcome.name): the bank rejected "
                                      + "\(Words.count(outcome.rejected, "payment")); each failed with the bank's reason in its history",
                                      routing: routing, at: now)
            }
            for outcome in outcomes where outcome.discrepancies > 0 {
                let first = outcome.notes.first { $0.hasPrefix("discrepancy: ") }.map { "; first: " + $0.dropFirst("discrepancy: ".count) } ?? ""
                try await store.raise(.discrepancyOpened, key: outcome.id, summary: "\(outcome.name) contradicts the ledger in "
                                      + Words.count(outcome.discrepancies, "record") + first, routing: routing, at: now)
            }
        }
        await settleQuarantined(at: now)
    }

    /// An audit verification ended (`metl audit verify`, the console's): a break raises
    /// `audit_verification_failed`; one that holds resolves it.
    public func auditVerified(_ report: AuditReport, at now: Date) async {
        await guarded("the audit verification") {
            if report.holds {
                try await store.resolve(.auditVerificationFailed, key: Self.auditLogKey, routing: routing, at: now)
                return
            }
            let breaks = report.chain.findings.map { "\($0.kind.rawValue)" + ($0.sequence.map { " at entry \($0)" } ?? "") + ": \($0.message)" }
                + report.fileFindings
            try await store.raise(.auditVerificationFailed, key: Self.auditLogKey,
                                  summary: "the audit verification found \(breaks.count) thing(s) that do not hold; first: \(breaks.first ?? "")",
                                  routing: routing, at: now)
        }
    }

    /// The one audit log's key.
    static let auditLogKey = "audit_log"

    /// Bank files quarantined and not yet dismissed are open alerts; the others resolve.
    public func settleQuarantined(at now: Date) async {
        await guarded("quarantined bank files") {
            let quarantined = try await store.inboundFiles().filter { $0.status == .quarantined }
            _ = try await store.settle(.bankFileQuarantined, current: Dictionary(quarantined.map {
                ($0.id, "\($0.name) was quarantined: \($0.reason ?? "no reason recorded"); nothing of it was applied")
            }, uniquingKeysWith: { first, _ in first }), routing: routing, at: now)
        }
    }

    /// The conditions of time, for `metl watch` and the watcher inside `metl serve`: exceptions
    /// near their deadline, held files near theirs, sent files not acknowledged, files expired in the
    /// last day, leases held too long, dead letters, disabled endpoints, quarantined bank files; and
    /// rejections and discrepancies older than a day resolved. Each condition's alerts are settled: raised while
    /// it holds, resolved once it clears. Returns the alerts raised by this pass.
    /// `expected`: each profile's day and the bank files it expects by a time (`bank_file_missing`).
    @discardableResult
    public func watch(at now: Date, thresholds: Thresholds = Thresholds(),
                      expected: [(profile: String, schedule: CutoffSchedule, files: [ExpectedBankFile])] = []) async -> [Alert] {
        var raised: [Alert] = []
        func settle(_ code: AlertCode, _ current: [String: String]) async throws {
            raised += try await store.settle(code, current: current, routing: routing, at: now).raised
        }
        await guarded("the watch") {
            let exceptions = try await store.checkExceptions(merchantID: nil, status: .open)
                .filter { $0.deadline > now && $0.deadline.timeIntervalSince(now) <= thresholds.exceptionLead }
            try await settle(.exceptionDeadlineNear, Dictionary(exceptions.map {
                ($0.id, "exception \($0.id) (serial \($0.serial), \(Dollars.format($0.presentedAmount))) is undecided; at "
                    + "\(Timestamp.format($0.deadline)) the bank applies its default: \($0.defaultDecision.rawValue)")
            }, uniquingKeysWith: { first, _ in first }))
            let files = try await store.outboundFiles(statuses: [.awaitingApproval, .uploaded])
            let held = files.filter { file in
                file.status == .awaitingApproval && (file.approvalDeadline.map { $0 > now && $0.timeIntervalSince(now) <= thresholds.approvalLead } ?? false)
            }
            try await settle(.approvalDeadlineNear, Dictionary(held.map {
                ($0.name, "\($0.name) has \($0.approval?.given ?? 0) of \($0.approval?.required ?? 0) approvals; its window closes "
                    + (($0.approvalDeadline).map(Timestamp.format) ?? ""))
            }, uniquingKeysWith: { first, _ in first }))
            var unacknowledged: [String: String] = [:]
            for file in files {
                let wait = file.profile.flatMap { thresholds.acknowledgementWaitByProfile[$0] } ?? thresholds.acknowledgementWait
                guard let uploaded = file.uploadedAt, now.timeIntervalSince(uploaded) > wait,
                      try await store.awaitsAcknowledgement(file, at: now) else { continue }
                unacknowledged[file.name] = "\(file.name), sent \(Timestamp.format(uploaded)), is not acknowledged by the bank"
            }
            try await settle(.fileUnacknowledged, unacknowledged)
            // An expired file is news for a day: its items wait in a new file, which asks again.
            let expired = try await store.outboundFiles(statuses: [.expired]).filter { now.timeIntervalSince($0.updatedAt) < 86_400 }
            try await settle(.fileExpired, Dictionary(expired.map {
                ($0.name, "\($0.name) expired unapproved; its items wait for a new file")
            }, uniquingKeysWith: { first, _ in first }))
            if !expected.isEmpty {
                let received = try await store.inboundFiles().filter { now.timeIntervalSince($0.receivedAt) < 4 * 86_400 }
                var missing: [String: String] = [:]
                for (profile, schedule, files) in expected {
                    for file in files { missing.merge(file.missing(profile: profile, schedule: schedule, received: received, at: now)) { $1 } }
                }
                try await settle(.bankFileMissing, missing)
            }
            let dead = try await store.webhookDeliveryCount(status: .failed)
            try await settle(.deadLetters, dead > thresholds.deadLetters
                             ? ["webhooks": "\(dead) webhook deliveries are dead-lettered (metl webhooks deliveries --status failed)"] : [:])
            let stuck = try await store.leases().filter { now.timeIntervalSince($0.acquiredAt) > thresholds.leaseHeld }
            try await settle(.leaseStuck, Dictionary(stuck.map {
                ($0.name, "the \($0.name) lease has been held by \($0.holder) since \(Timestamp.format($0.acquiredAt)) "
                    + ($0.expiresAt > now ? "(until \(Timestamp.format($0.expiresAt)))" : "(expired \(Timestamp.format($0.expiresAt)), not released)")
                    + "; a run takes minutes: is that process stuck?")
            }, uniquingKeysWith: { first, _ in first }))
            for code in [AlertCode.fileRejected, .discrepancyOpened] {
                try await store.resolve(code, raisedBefore: now.addingTimeInterval(-thresholds.news), routing: routing, at: now)
            }
            let disabled = try await store.webhookEndpoints(merchantID: nil).filter { !$0.enabled && $0.disabledReason != nil }
            try await settle(.endpointDisabled, Dictionary(disabled.map {
                ($0.id, "merchant \($0.merchantID)'s endpoint \($0.url) is disabled: \($0.disabledReason ?? "")")
            }, uniquingKeysWith: { first, _ in first }))
        }
        await settleQuarantined(at: now)
        return raised
    }

    private func guarded(_ what: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            logger.error("ALERT could not record the alerts of \(what): \(error)")
        }
    }
}
