import Foundation
import Payments

/// Positive Pay: enrolled accounts, recent checks, exceptions with the time left before the
/// bank's default and the decide action, and the discrepancies bank files reported.
extension ConsolePages {
    struct AccountRow { var id: String; var merchant: String; var routing: String; var account: String; var layout: String; var enabled: Bool }
    struct CheckRow { var id: String; var serial: String; var payee: String; var amount: String; var state: String; var issued: String }
    struct ExceptionRow { var id: String; var serial: String; var payee: String; var presented: String; var issued: String; var reason: String; var defaultDecision: String; var deadline: String; var countdown: String; var status: String; var open: Bool; var urgent: Bool }

    struct PositivePayModel {
        var statuses: [Option]
        var accounts: [AccountRow]
        var exceptions: [ExceptionRow]
        var checks: [CheckRow]
        var checksNext: String?
        var discrepancies: [Field]
        var canDecide: Bool
        var back: String
    }

    func positivePay(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let status = request.filter("status") ?? CheckException.Status.open.rawValue
        guard let parsed = CheckException.Status(rawValue: status) else { throw ConsoleError.badRequest("\(status) is not an exception status") }
        let names = try await merchantNames()
        let accounts = try await store.checkAccounts(merchantID: nil).map {
            AccountRow(id: $0.id, merchant: names[$0.merchantID] ?? $0.merchantID, routing: $0.routingNumber, account: $0.maskedAccountNumber,
                       layout: "\($0.layout)", enabled: $0.disabledAt == nil)
        }
        let exceptions = try await store.checkExceptions(merchantID: nil, status: parsed).sorted { $0.deadline < $1.deadline }.prefix(200).map { exception in
            ExceptionRow(id: exception.id, serial: exception.serial, payee: exception.presentedPayee, presented: Format.cents(exception.presentedAmount),
                         issued: exception.issuedAmount.map(Format.cents) ?? "not issued", reason: exception.reason.rawValue,
                         defaultDecision: exception.defaultDecision.rawValue, deadline: Format.time(exception.deadline),
                         countdown: Format.countdown(to: exception.deadline, from: request.now), status: exception.status.rawValue,
                         open: exception.status == .open && exception.deadline > request.now,
                         urgent: exception.status == .open && exception.deadline.timeIntervalSince(request.now) < 2 * 3600)
        }
        let query = CheckQuery(window: try window(request, prefix: CheckIssue.idPrefix, limit: configuration.pageSize))
        let checks = try await ListPage<CheckIssue>.fetch(query.window, id: \.id) { window in
            var paged = query
            paged.window = window
            return try await store.checks(paged)
        }
        let discrepancies = try await store.discrepancies(since: request.now.addingTimeInterval(-7 * 86_400)).map { change in
            Field(name: Format.time(change.entry.createdAt), value: "\(change.subject.rawValue) \(change.entry.requestID): \(change.entry.reasonCode) "
                  + change.entry.reasonText + " (\(Format.source(change.entry.source).text))")
        }
        let model = PositivePayModel(
            statuses: Self.options(CheckException.Status.allCases.map(\.rawValue), selected: status), accounts: accounts,
            exceptions: Array(exceptions),
            checks: checks.data.map { CheckRow(id: $0.id, serial: $0.serial, payee: $0.payee, amount: Format.cents($0.amount), state: $0.state.rawValue,
                                              issued: "\($0.issueDate)") },
            checksNext: nextLink(request, cursor: checks.nextCursor), discrepancies: discrepancies, canDecide: request.may(.operator),
            back: "/console/positive-pay")
        return await render("positive-pay", "Positive Pay", model, request)
    }

    func decideException(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        return try await act(request, back: "/console/positive-pay") { person in
            let text = try request.requiredField("decision", "the decision (pay or return)")
            guard let decision = CheckException.Decision(rawValue: text) else { throw ConsoleError.badRequest("the decision is pay or return") }
            let made = try await store.decideException(id: id, decision: decision, returnReason: request.field("return_reason"), actor: person.actor,
                                                       source: .operator, at: request.now)
            return "\(made.id): \(decision.rawValue) \(id); it goes to the bank with the next decisions cutoff"
        }
    }
}
