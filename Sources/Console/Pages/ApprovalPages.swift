import Foundation
import Payments

/// Approvals: the queue (what waits for this approver, or everything held) and the decision log;
/// approve and reject through `decide`, the same rules as `metl approvals`: the approver role,
/// their credentials asked again (password, and a new TOTP code once enrolled), never the maker,
/// once per person, bound to the SHA-256 shown.
extension ConsolePages {
    struct WaitingRow { var id: String; var href: String; var kind: String; var name: String; var approvals: String; var debit: String; var credit: String; var deadline: String; var mine: Bool }

    struct ApprovalsModel {
        var mine: Bool
        var waiting: [WaitingRow]
        var decisions: [DecisionLogRow]
        var isApprover: Bool
    }

    struct DecisionLogRow { var at: String; var who: String; var decision: String; var subject: String; var href: String; var sha256: String; var reason: String }

    func approvals(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let person = try request.signedIn
        let mine = request.filter("show") != "all" && person.may(.approver)
        let held = try await store.heldForApproval(paymentLimit: 500)
        let decided = try await store.approvals(subjectIDs: nil)
        let decidedByMe = Set(decided.filter { $0.operatorName == person.name }.map(\.subjectID))
        var rows: [WaitingRow] = []
        for file in held.files {
            let makers = try await store.fileMakers(fileID: file.id)
            let waitsForMe = person.may(.approver) && !decidedByMe.contains(file.id) && !makers.contains(person.name)
            rows.append(WaitingRow(id: file.id, href: "/console/files/\(file.id)", kind: "file", name: file.name,
                                   approvals: "\(file.approval?.given ?? 0) of \(file.approval?.required ?? 0)",
                                   debit: Format.cents(file.totalDebit), credit: Format.cents(file.totalCredit),
                                   deadline: file.approvalDeadline.map { "\(Format.time($0)) (\(Format.countdown(to: $0, from: request.now)))" } ?? "",
                                   mine: waitsForMe))
        }
        for payment in held.payments {
            let maker = try await store.history(paymentID: payment.id).first?.actor.rawValue
            let waitsForMe = person.may(.approver) && !decidedByMe.contains(payment.id) && maker != person.name
            rows.append(WaitingRow(id: payment.id, href: "/console/payments/\(payment.id)", kind: "payment",
                                   name: "\(payment.direction.rawValue) \(payment.counterparty.name)",
                                   approvals: "\(payment.approval?.given ?? 0) of \(payment.approval?.required ?? 0)",
                                   debit: payment.direction == .debit ? Format.cents(payment.amount) : "",
                                   credit: payment.direction == .credit ? Format.cents(payment.amount) : "", deadline: "", mine: waitsForMe))
        }
        let decisions = decided.sorted { $0.at > $1.at }.prefix(100).map { approval in
            DecisionLogRow(at: Format.time(approval.at), who: approval.operatorName, decision: approval.decision.rawValue, subject: approval.subjectID,
                           href: approval.subject == .file ? "/console/files/\(approval.subjectID)" : "/console/payments/\(approval.subjectID)",
                           sha256: String(approval.sha256.prefix(16)) + "…", reason: approval.reason ?? "")
        }
        let model = ApprovalsModel(mine: mine, waiting: mine ? rows.filter(\.mine) : rows, decisions: Array(decisions),
                                   isApprover: person.may(.approver))
        return await render("approvals", "Approvals", model, request)
    }

    func decide(_ decision: Approval.Decision, _ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        let page = id.hasPrefix(Payment.idPrefix + "_") ? "/console/payments/\(id)" : "/console/files/\(id)"
        return try await act(request, back: page) { person in
            // A decision on money asks for the approver's credentials again, as the CLI does: the
            // password, and once enrolled a TOTP code not used before (not the sign-in's).
            _ = try await store.authenticate(name: person.name, password: request.form["password"] ?? "",
                                             code: request.form["totp"].flatMap { $0.isEmpty ? nil : $0 }, secrets: configuration.secrets,
                                             at: request.now)
            let outcome = try await store.decide(decision, on: id, by: person, seen: request.field("sha256"), reason: request.field("reason"),
                                                 at: request.now)
            let count = switch outcome.item {
            case .file(let file): file.approval.map { " (\($0.given) of \($0.required))" } ?? ""
            case .payment(let payment): payment.approval.map { " (\($0.given) of \($0.required))" } ?? ""
            }
            let now = switch outcome.item {
            case .file(let file): file.status == .rendered ? "released: the next cutoff run in a window sends it" : "now \(file.status.rawValue)"
            case .payment(let payment): "now \(payment.state.rawValue)"
            }
            return "\(decision.rawValue) \(id)\(count): \(now)"
        }
    }
}
