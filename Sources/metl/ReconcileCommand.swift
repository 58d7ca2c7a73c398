import ArgumentParser
import Foundation
import Synchronization
import MetlConfiguration
import NACHA
import Payments
import Pipeline

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "reconcile",
        abstract: "Per outbound file: sent vs acknowledged vs settled vs returned, and payments stuck too long.",
        discussion: """
            Also lists bank files of the last 7 days quarantined or applied with notes (warnings), and the discrepancies they \
            reported (what the bank said against the ledger, on payments and checks). Exit 1 when something needs attention \
            (stuck payments, failed files, check exceptions open, a quarantined bank file, a discrepancy, a key about to expire), \
            for a timer that alerts.
            """)

    @Option(help: "Hours a submitted payment may wait for its acknowledgement.") var acknowledgementHours = 2
    @Option(help: "Banking days a processing payment may wait for settlement.") var settlementDays = 3
    @OptionGroup var store: StoreOptions
    @OptionGroup var gnupg: GnuPGHomeOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var metrics: MetricsOptions

    func run() async throws {
        let (database, settings) = try await store.openStore(.reading)
        let seen = Mutex<Reconciliation?>(nil)
        // The run is recorded in the audit log when this user may write the database; an auditor's read-only reconcile is not.
        guard let recorder = try? await settings.openStore(.writing) else { return try await reconcile(database, settings: settings) { _ in } }
        try await JobAudit.around("reconcile", actor: Actor(rawValue: "metl-reconcile"), store: recorder, settings: settings,
                                  archive: (try? settings.archiveDirectory(nil, layers: .process)).map(Archive.init),
                                  logger: Log.make("metl.reconcile", json: output.json), metrics: metrics,
                                  counts: { seen.withLock { $0 }.map(Self.counts) ?? [] }) {
            try await reconcile(database, settings: settings) { report in seen.withLock { $0 = report } }
        }
    }

    /// A run's counts for its metrics file.
    static func counts(_ report: Reconciliation) -> [(name: String, value: Int, help: String)] {
        [("files_sent", report.files.count(where: \.sent), "Files the bank has that the last run reconciled."),
         ("files_not_sent", report.files.count { !$0.sent }, "Files held, failed or stopped before the bank had them."),
         ("payments_unacknowledged", report.files.reduce(0) { $0 + $1.unacknowledged }, "Payments sent and not yet acknowledged."),
         ("payments_stuck", report.stuck.count, "Payments in one state longer than its rule allows."),
         ("exceptions_open", report.exceptions.count, "Positive Pay exceptions waiting for a decision or past their deadline."),
         ("discrepancies", report.discrepancies.count, "What bank files said that contradicts the ledger, in the period."),
         ("bank_files_needing_attention", report.inbound.count, "Bank files quarantined or applied with notes."),
         ("key_findings", report.keys.count, "OpenPGP keys expired or about to.")]
    }

    private func reconcile(_ database: any LedgerStore, settings: Settings, read: (Reconciliation) -> Void) async throws {
        // The GnuPG home's keys, when metl has one: a key about to expire is a finding.
        let keys = try await gnupg.existing(settings)?.keys() ?? []
        let report = try await Reconciliation.run(store: database, now: settings.clock(), acknowledgementWait: .seconds(acknowledgementHours * 3_600),
                                                  settlementBankingDays: settlementDays, keys: keys)
        read(report)
        if output.json {
            try Output.json(report)
        } else {
            Output.table(["FILE", "STATUS", "ENTRIES", "SENT DEBIT", "SENT CREDIT", "UNACKED", "PROCESSING", "SETTLED", "FAILED"],
                         report.files.filter(\.sent).map {
                             [$0.name, $0.status.rawValue, String($0.entries), Dollars.format($0.sentDebit), Dollars.format($0.sentCredit),
                              String($0.unacknowledged), String($0.processing),
                              "\($0.settled) (\(Dollars.format($0.settledAmount)))", "\($0.failed) (\(Dollars.format($0.failedAmount)))"]
                         })
            // Files the bank does not have are apart from what was sent: waiting, stopped or cancelled.
            for file in report.files where !file.sent {
                Output.line("NOT SENT \(file.name) \(file.status.rawValue): \(Words.count(file.entries, "entry", plural: "entries")), "
                            + "debit \(Dollars.format(file.sentDebit)), credit \(Dollars.format(file.sentCredit))")
            }
            for item in report.stuck { Output.line("STUCK \(item.paymentID) \(item.state.rawValue) since \(item.since): \(item.rule)") }
            for exception in report.exceptions {
                Output.line("EXCEPTION \(exception.id) check \(exception.serial) \(exception.reason.rawValue): "
                            + (exception.lapsed ? "deadline \(exception.deadline) passed; the bank's default \(exception.defaultDecision.rawValue) stands"
                                                : "decide before \(exception.deadline) (default \(exception.defaultDecision.rawValue))"))
            }
            for alert in report.keys { Output.line("KEY \(alert)") }
            for item in report.discrepancies {
                Output.line("DISCREPANCY \(item.subject.rawValue) \(item.id) at \(item.at)"
                            + (item.inboundFileID.map { " (\($0)" + (item.line.map { " line \($0)" } ?? "") + ")" } ?? "") + ": \(item.text)")
            }
            for file in report.inbound {
                Output.line("INBOUND \(file.id) \(file.name) \(file.status.rawValue)" + (file.reason.map { ": \($0)" } ?? ""))
                for note in file.notes { Output.line("  note: \(note)") }
            }
        }
        if report.needsAttention { throw ExitStatus.findings }
    }
}
