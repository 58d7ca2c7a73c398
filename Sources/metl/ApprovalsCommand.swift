import ArgumentParser
import Foundation
import MetlConfiguration
import NACHA
import Payments
import Pipeline

struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "approvals", abstract: "Four-eyes approval: what waits for approvers, what each item shows, approve and reject.",
        discussion: """
            A bank profile's "approvals" rule holds files (every kind, by gross amount) and payments (by amount) until \
            enough approvers approve. A decision needs the approver's password (and TOTP code once enrolled); the maker \
            of an item never approves it, one person counts once, and a held file whose window closes unapproved \
            expires at the next cutoff run. Refusals exit 10 (who) or 5 (what).
            """,
        subcommands: [List.self, Show.self, Approve.self, Reject.self])

    /// An item waiting for approvers, as `list` prints it.
    struct Waiting: Encodable {
        var id: String, subject: String, name: String, required: Int, given: Int, createdAt: String
        var items: Int, totalDebit: Int64, totalCredit: Int64
        @Nullable var deadline: String?
        enum CodingKeys: String, CodingKey {
            case id, subject, name, required, given, items, deadline, createdAt = "created_at", totalDebit = "total_debit", totalCredit = "total_credit"
        }
    }

    /// A decision, as `list` and `show` print it.
    struct Decision: Encodable {
        var id: String, subject: String, subjectID: String, ordinal: Int, approver: String, decision: String, sha256: String, at: String
        @Nullable var reason: String?
        enum CodingKeys: String, CodingKey {
            case id, subject, subjectID = "subject_id", ordinal, approver, decision, sha256, reason, at
        }

        init(_ approval: Approval) {
            (id, subject, subjectID, ordinal) = (approval.id, approval.subject.rawValue, approval.subjectID, approval.ordinal)
            (approver, decision, sha256, reason, at) = (approval.operatorName, approval.decision.rawValue, approval.sha256, approval.reason,
                                                         Timestamp.format(approval.at))
        }
    }

    static func waiting(_ store: any LedgerStore) async throws -> [Waiting] {
        let held = try await store.heldForApproval()
        let files = held.files.map { file in
            Waiting(id: file.id, subject: Approval.Subject.file.rawValue, name: file.name, required: file.approval?.required ?? 0,
                    given: file.approval?.given ?? 0, createdAt: Timestamp.format(file.createdAt), items: file.entryCount,
                    totalDebit: file.totalDebit, totalCredit: file.totalCredit, deadline: file.approvalDeadline.map(Timestamp.format))
        }
        let payments = held.payments.map { payment in
            Waiting(id: payment.id, subject: Approval.Subject.payment.rawValue, name: "\(payment.direction.rawValue) \(payment.counterparty.name)",
                    required: payment.approval?.required ?? 0, given: payment.approval?.given ?? 0,
                    createdAt: Timestamp.format(payment.createdAt), items: 1,
                    totalDebit: payment.direction == .debit ? payment.amount : 0, totalCredit: payment.direction == .credit ? payment.amount : 0,
                    deadline: nil)
        }
        return files + payments
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "What waits for approvers, then every decision taken (who, when, on which SHA-256).",
            discussion: "--json prints {pending, decisions: {data, next_cursor}}; the paging options page the decisions.")
        @Flag(help: "Only what waits for approvers.") var pending = false
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Listing: Encodable {
            var pending: [Waiting]
            @Nullable var decisions: ListPage<Decision>?
        }

        func run() async throws {
            let window = try list.window(prefix: Approval.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            let waiting = try await ApprovalsCommand.waiting(store)
            var decisions: ListPage<Approval>?
            if !pending {
                let all = try await store.approvals(subjectIDs: nil)
                decisions = try await ListPage.fetch(window, id: \.id) { window in window.select(all, id: \.id, createdAt: \.at) }
            }
            if output.json { return try Output.json(Listing(pending: waiting, decisions: decisions?.map(Decision.init))) }
            if waiting.isEmpty {
                Output.line("nothing waits for approvers")
            } else {
                Output.table(["ID", "WHAT", "NAME", "APPROVALS", "ITEMS", "DEBIT", "CREDIT", "DEADLINE", "CREATED"], waiting.map {
                    [$0.id, $0.subject, $0.name, "\($0.given) of \($0.required)", String($0.items), Dollars.format($0.totalDebit),
                     Dollars.format($0.totalCredit), $0.deadline ?? "-", $0.createdAt]
                })
            }
            guard let decisions else { return }
            Output.line()
            try ListOptions.print(decisions, json: false, document: Decision.init, empty: "no decisions yet",
                                  header: ["DECISION", "AT", "ITEM", "#", "APPROVER", "SHA-256", "REASON"]) {
                [$0.decision.rawValue, Timestamp.format($0.at), $0.subjectID, String($0.ordinal), $0.operatorName, String($0.sha256.prefix(16)) + "…",
                 $0.reason ?? ""]
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "What an approver decides on: a file's totals, SHA-256 (checked against the archive), makers, sums per merchant and company, largest items and changes since the last approved file; a payment's request and maker.")
        @Argument(help: "A file id or name, or a payment id.") var id: String
        @OptionGroup var cutoff: CutoffOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, settings) = try await store.openStore(.reading)
            if id.hasPrefix(Payment.idPrefix + "_") {
                let payment = try await store.payment(id: id)
                let review = PaymentReviewDocument(payment, maker: try await store.history(paymentID: payment.id).first?.actor.rawValue ?? "",
                                                   decisions: try await store.approvals(subjectIDs: [payment.id]))
                return output.json ? try Output.json(review) : review.print()
            }
            let review = try await store.review(fileID: id)
            let archive = Archive(root: try settings.archiveDirectory(cutoff.archiveDir, layers: .process))
            let archived: String
            do {
                archived = Archive.sha256(try archive.read(review.file.archivePath)) == review.file.sha256
                    ? "matches" : "DIFFERS: do not approve; metl files verify \(review.file.id)"
            } catch {
                archived = "unreadable (\(error)): do not approve"
            }
            let document = FileReviewDocument(review, archived: archived)
            return output.json ? try Output.json(document) : document.print()
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Approve a held file or payment as an approver, with your credentials.",
            discussion: "--sha256 binds the approval to what you were shown (metl approvals show): anything else is refused.")
        @Argument(help: "A file id or name, or a payment id.") var id: String
        @Option(help: "The SHA-256 you were shown.") var sha256: String?
        @OptionGroup var credentials: ApproverCredentials
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ApprovalsCommand.decide(.approved, on: id, seen: sha256, reason: nil, credentials: credentials, acting: acting, store: store,
                                              json: output.json)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Reject a held file (never sent; its items go back for the next file) or payment (P_FAILED rejected_by_approver).")
        @Argument(help: "A file id or name, or a payment id.") var id: String
        @Option(help: "Why: recorded with the decision and in the history.") var reason: String
        @OptionGroup var credentials: ApproverCredentials
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await ApprovalsCommand.decide(.rejected, on: id, seen: nil, reason: reason, credentials: credentials, acting: acting, store: store,
                                              json: output.json)
        }
    }

    struct Reported: Encodable {
        var decision: Decision
        @Nullable var payment: PaymentDocument?
        @Nullable var file: FilesCommand.FileDocument?
    }

    /// The acting approver's decision, once their credentials are accepted, and what it did.
    static func decide(_ decision: Approval.Decision, on id: String, seen: String?, reason: String?, credentials: ApproverCredentials,
                       acting: OperatorOptions, store options: StoreOptions, json: Bool) async throws {
        let (store, settings) = try await options.openStore()
        let approver = try await credentials.authenticate(acting.actingName, store: store, settings: settings)
        try report(try await store.decide(decision, on: id, by: approver, seen: seen, reason: reason, at: settings.clock()), json: json)
    }

    static func report(_ outcome: ApprovalOutcome, json: Bool) throws {
        let approval = outcome.approval
        switch outcome.item {
        case .payment(let payment):
            if json { return try Output.json(Reported(decision: Decision(approval), payment: PaymentDocument(payment), file: nil)) }
            let count = payment.approval.map { "\($0.given) of \($0.required)" } ?? ""
            Output.line("\(approval.decision.rawValue) payment \(payment.id) as \(approval.operatorName) (\(count)); now \(payment.state)"
                        + (payment.failure.map { " (\($0.code): \($0.message))" } ?? ""))
        case .file(let file):
            if json { return try Output.json(Reported(decision: Decision(approval), payment: nil, file: FilesCommand.FileDocument(file, failures: []))) }
            let count = file.approval.map { "\($0.given) of \($0.required)" } ?? ""
            let next = switch file.status {
            case .rendered: "released: the next cutoff run in a window sends it"
            case .awaitingApproval: "still awaiting \(Words.count((file.approval?.required ?? 0) - (file.approval?.given ?? 0), "approval"))"
                + (file.approvalDeadline.map { " before \(Output.localTime($0))" } ?? "")
            default: "\(file.status.rawValue): never sent; its items go in the next file"
            }
            Output.line("\(approval.decision.rawValue) file \(file.name) (\(file.id)) as \(approval.operatorName), sha256 \(approval.sha256) "
                        + "(\(count)): \(next)")
        }
    }
}
