import Foundation
import NACHA
import OpenPGP
import Payments

/// Per outbound file: what we sent against what the bank acknowledged, settled and returned, and the
/// payments stuck too long in a state. `needsAttention` drives the exit code a timer alerts on.
public struct Reconciliation: Sendable, Codable {
    public struct FileLine: Sendable, Codable {
        public var id: String
        public var name: String
        public var status: OutboundFileStatus
        /// The bank has it (`uploaded`); a held, rendered, uploading, failed, cancelled, rejected or expired file was not sent,
        /// and its amounts are what it would send.
        public var sent: Bool
        public var entries: Int
        public var sentDebit: Int64
        public var sentCredit: Int64
        /// Payments still waiting for the acknowledgement.
        public var unacknowledged: Int
        public var processing: Int
        public var settled: Int
        public var settledAmount: Int64
        public var failed: Int
        public var failedAmount: Int64

        enum CodingKeys: String, CodingKey {
            case id, name, status, sent, entries, sentDebit = "sent_debit", sentCredit = "sent_credit", unacknowledged, processing, settled,
                 settledAmount = "settled_amount", failed, failedAmount = "failed_amount"
        }
    }

    public struct Stuck: Sendable, Codable {
        public var paymentID: String
        public var state: PaymentState
        public var since: String
        public var rule: String

        enum CodingKeys: String, CodingKey { case paymentID = "payment_id", state, since, rule }
    }

    /// A bank file that needs an operator: quarantined (nothing applied), or applied with notes.
    public struct InboundLine: Sendable, Codable {
        public var id: String
        public var name: String
        public var status: InboundFile.Status
        public var reason: String?
        public var notes: [String]
    }

    /// What a bank file said that contradicts the ledger, noted on the payment or check and never
    /// applied: for a person to investigate with the bank.
    public struct Discrepancy: Sendable, Codable {
        public var subject: InboundChange.Subject
        public var id: String
        public var text: String
        @Nullable public var inboundFileID: String?
        @Nullable public var line: Int?
        public var at: String

        enum CodingKeys: String, CodingKey { case subject, id, text, inboundFileID = "inbound_file_id", line, at }

        public init(_ change: InboundChange) {
            subject = change.subject
            id = change.entry.requestID
            text = change.entry.reasonText
            if case .inboundFile(let file, let at) = change.entry.source {
                (inboundFileID, line) = (file, at)
            } else {
                (inboundFileID, line) = (nil, nil)
            }
            at = Timestamp.format(change.entry.createdAt)
        }
    }

    /// A check the bank presented that nobody has decided yet: a decision counts only when its file
    /// reaches the bank before `deadline`; after it the bank applies its default.
    public struct OpenException: Sendable, Codable {
        public var id: String
        public var merchantID: String
        public var serial: String
        public var reason: CheckException.Reason
        public var deadline: String
        public var defaultDecision: CheckException.Decision
        /// The deadline passed: the bank's default decision stands, to be settled by the next decisions run.
        public var lapsed: Bool

        enum CodingKeys: String, CodingKey {
            case id, merchantID = "merchant_id", serial, reason, deadline, defaultDecision = "default_decision", lapsed
        }
    }

    public var files: [FileLine]
    public var stuck: [Stuck]
    /// Exceptions open: each needs a decision before its deadline, or has lapsed.
    public var exceptions: [OpenException]
    /// Bank files received in the last `inboundNoteDays` days that were quarantined (attention), or
    /// applied with notes (warnings of a nonconforming file, events left out).
    public var inbound: [InboundLine]
    /// Discrepancies bank files reported in the last `inboundNoteDays` days.
    public var discrepancies: [Discrepancy]
    /// OpenPGP keys of the GnuPG home that are dead or expire within `OpenPGPSealing.expiryWarning`.
    public var keys: [String]
    /// Files that did not reach the bank (failed), open exceptions and keys about to stop working count as attention too.
    public var needsAttention: Bool

    enum CodingKeys: String, CodingKey { case files, stuck, exceptions, inbound, discrepancies, keys, needsAttention = "needs_attention" }

    /// SUBMITTED with no acknowledgement after `acknowledgementWait`; PROCESSING with no settlement
    /// after `settlementBankingDays` banking days.
    /// `keys`: the GnuPG home's keys, when there is one.
    public static func run(store: any LedgerStore, now: Date = Date(), acknowledgementWait: Duration = .seconds(7_200),
                           settlementBankingDays: Int = 3, keys: [OpenPGPKey] = [], inboundNoteDays: Int = 7) async throws -> Reconciliation {
        let totals = try await store.fileStateTotals()
        let files = totals.map { file, states in
            FileLine(id: file.id, name: file.name, status: file.status, sent: file.status == .uploaded, entries: file.entryCount,
                     sentDebit: file.totalDebit, sentCredit: file.totalCredit,
                     unacknowledged: (states[.submittedToCore]?.count ?? 0) + (states[.validated]?.count ?? 0),
                     processing: states[.processing]?.count ?? 0, settled: states[.completed]?.count ?? 0,
                     settledAmount: states[.completed]?.amount ?? 0, failed: states[.failed]?.count ?? 0,
                     failedAmount: states[.failed]?.amount ?? 0)
        }
        var stuck: [Stuck] = []
        let ackCutoff = now.addingTimeInterval(-Double(acknowledgementWait.components.seconds))
        for payment in try await store.payments(in: .submittedToCore, changedBefore: ackCutoff) {
            stuck.append(Stuck(paymentID: payment.id, state: payment.state, since: Timestamp.format(payment.updatedAt),
                               rule: "no acknowledgement after \(acknowledgementWait.components.seconds / 3600) hours"))
        }
        // Banking days back from today: the settlement deadline for anything acknowledged before it.
        var day = ACHDate(now)
        for _ in 0..<settlementBankingDays {
            day = day.adding(days: -1)
            while !BankCalendar.federalReserve.isBankingDay(day) { day = day.adding(days: -1) }
        }
        let settlementCutoff = Calendar.current.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) ?? now
        for payment in try await store.payments(in: .processing, changedBefore: settlementCutoff) {
            stuck.append(Stuck(paymentID: payment.id, state: payment.state, since: Timestamp.format(payment.updatedAt),
                               rule: "no settlement after \(settlementBankingDays) banking days"))
        }
        let keyAlerts = keys.compactMap { key -> String? in
            let name = "\(key.fingerprint) \(key.userIDs.first ?? "")"
            if key.revoked { return "key \(name) is revoked" }
            guard let expires = key.expires else { return nil }
            if key.isDead(at: now) { return "key \(name) expired on \(Timestamp.format(expires))" }
            return key.expiresSoon(at: now, within: OpenPGPSealing.expiryWarning) ? "key \(name) expires on \(Timestamp.format(expires))" : nil
        }
        let notesSince = now.addingTimeInterval(-Double(inboundNoteDays) * 86_400)
        let inbound = try await store.inboundFiles()
            .filter { $0.receivedAt >= notesSince && ($0.status == .quarantined || !$0.notes.isEmpty) }
            .map { InboundLine(id: $0.id, name: $0.name, status: $0.status, reason: $0.reason, notes: $0.notes) }
        let discrepancies = try await store.discrepancies(since: notesSince).map(Discrepancy.init)
        let exceptions = try await store.checkExceptions(merchantID: nil, status: .open).map { exception in
            OpenException(id: exception.id, merchantID: exception.merchantID, serial: exception.serial, reason: exception.reason,
                          deadline: Timestamp.format(exception.deadline), defaultDecision: exception.defaultDecision,
                          lapsed: exception.deadline <= now)
        }
        return Reconciliation(files: files, stuck: stuck, exceptions: exceptions, inbound: inbound, discrepancies: discrepancies, keys: keyAlerts,
                              needsAttention: !stuck.isEmpty || !keyAlerts.isEmpty || !discrepancies.isEmpty || !exceptions.isEmpty
                                  || files.contains { $0.status == .failed || $0.status == .expired } || inbound.contains { $0.status == .quarantined })
    }
}
