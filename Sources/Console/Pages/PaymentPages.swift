import Foundation
import Payments

/// Payments: search by id, trace number, merchant, amount range, state, file and dates; a
/// payment's page with its history, each step linked to the file and line behind it; cancel; the
/// recorded reveal of a full account number; approve and reject when it is held (through Approvals).
extension ConsolePages {
    struct PaymentRow { var id: String; var merchant: String; var state: String; var amount: String; var direction: String; var counterparty: String; var effective: String; var created: String }

    struct PaymentsModel {
        var states: [Option]
        var trace: String
        var merchant: String
        var minimum: String
        var maximum: String
        var file: String
        var from: String
        var to: String
        var payments: [PaymentRow]
        var next: String?
    }

    func payments(_ request: ConsoleRequest) async throws -> ConsoleReply {
        if let id = request.filter("id") { return .redirect("/console/payments/\(FormBody.escape(id))") }
        let state = request.filter("state")
        var query = PaymentQuery(window: try window(request, prefix: Payment.idPrefix, limit: configuration.pageSize))
        if let state {
            guard let parsed = PaymentState(rawValue: state) else { throw ConsoleError.badRequest("\(state) is not a payment state") }
            query.state = parsed
        }
        if let trace = request.filter("trace") {
            guard let number = Int(trace) else { throw ConsoleError.badRequest("a trace number is 15 digits, not \(trace)") }
            query.traceNumber = number
        }
        if let merchant = request.filter("merchant") { query.merchantID = try await store.merchant(merchant).id }
        query.minimumAmount = try Format.amount(request.filter("min"), "the smallest amount")
        query.maximumAmount = try Format.amount(request.filter("max"), "the largest amount")
        query.fileID = request.filter("file")
        let found = try await ListPage<Payment>.fetch(query.window, id: \.id) { window in
            var paged = query
            paged.window = window
            return try await store.payments(paged)
        }
        let names = try await merchantNames()
        let model = PaymentsModel(states: Self.options(PaymentState.allCases.map(\.rawValue), selected: state),
                                  trace: request.filter("trace") ?? "", merchant: request.filter("merchant") ?? "",
                                  minimum: request.filter("min") ?? "", maximum: request.filter("max") ?? "", file: query.fileID ?? "",
                                  from: request.filter("from") ?? "", to: request.filter("to") ?? "",
                                  payments: found.data.map { Self.row($0, merchants: names) }, next: nextLink(request, cursor: found.nextCursor))
        return await render("payments", "Payments", model, request)
    }

    static func row(_ payment: Payment, merchants: [String: String]) -> PaymentRow {
        PaymentRow(id: payment.id, merchant: merchants[payment.merchantID] ?? payment.merchantID, state: payment.state.rawValue, amount: Format.cents(payment.amount),
                   direction: payment.direction.rawValue, counterparty: payment.counterparty.name, effective: "\(payment.effectiveDate)",
                   created: Format.time(payment.createdAt))
    }

    struct StepRow { var at: String; var from: String; var to: String; var who: String; var reason: String; var source: String; var href: String? }

    struct PaymentModel {
        var payment: PaymentRow
        var fields: [Field]
        var account: String
        var revealed: Bool
        var canReveal: Bool
        var history: [StepRow]
        var decisions: [DecisionRow]
        var held: Bool
        var canApprove: Bool
        /// The approver is enrolled in TOTP: a decision asks for a code too, as the CLI does.
        var asksCode: Bool
        var canCancel: Bool
        var sha256: String
        var back: String
    }

    func payment(_ request: ConsoleRequest) async throws -> ConsoleReply {
        try await paymentPage(request, reveal: false)
    }

    /// The payment's page with its full account number, for an approver or admin who asked: the
    /// audit log records who saw it and when.
    func revealAccount(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let person = try request.signedIn
        let payment = try await store.payment(id: try request.parameter("id"))
        _ = try await store.appendAudit(AuditRecord(actor: person.actor, action: .accountRevealed, subjects: [payment.id],
                                                    detail: "console: the account number of \(payment.id)"), at: request.now)
        console.logger.notice("console account revealed", metadata: ["operator": "\(person.name)", "payment": "\(payment.id)"])
        return try await paymentPage(request, reveal: true)
    }

    private func paymentPage(_ request: ConsoleRequest, reveal: Bool) async throws -> ConsoleReply {
        let payment = try await store.payment(id: try request.parameter("id"))
        let merchant = try await store.merchant(payment.merchantID)
        var fields = [Field(name: "merchant", value: "\(merchant.name) (\(merchant.id))"), Field(name: "direction", value: payment.direction.rawValue),
                      Field(name: "SEC code", value: payment.secCode.rawValue), Field(name: "description", value: payment.description),
                      Field(name: "effective date", value: "\(payment.effectiveDate)"),
                      Field(name: "counterparty", value: payment.counterparty.name),
                      Field(name: "routing number", value: payment.counterparty.routingNumber),
                      Field(name: "account type", value: payment.counterparty.accountType.rawValue),
                      Field(name: "created", value: Format.time(payment.createdAt)), Field(name: "updated", value: Format.time(payment.updatedAt))]
        if let profile = payment.profile { fields.append(Field(name: "bank profile", value: profile)) }
        if let failure = payment.failure { fields.append(Field(name: "failure", value: "\(failure.code): \(failure.message)")) }
        if let approval = payment.approval { fields.append(Field(name: "approvals", value: "\(approval.given) of \(approval.required)")) }
        let history = try await store.history(paymentID: payment.id).reversed().map { step in
            let source = Format.source(step.source)
            return StepRow(at: Format.time(step.createdAt), from: step.fromState?.rawValue ?? "", to: step.toState.rawValue, who: step.actor.rawValue,
                           reason: "\(step.reasonCode)" + (step.reasonText.isEmpty ? "" : ": \(step.reasonText)"), source: source.text, href: source.href)
        }
        let decisions = try await store.approvals(subjectIDs: [payment.id]).map {
            DecisionRow(who: $0.operatorName, decision: $0.decision.rawValue, at: Format.time($0.at), reason: $0.reason ?? "")
        }
        let held = payment.state == .created && payment.approval != nil
        let model = PaymentModel(
            payment: Self.row(payment, merchants: [merchant.id: merchant.name]), fields: fields,
            account: reveal ? payment.counterparty.accountNumber : payment.counterparty.maskedAccountNumber, revealed: reveal,
            canReveal: !reveal && ConsoleRoute.revealAccount.allows(request.person?.roles), history: Array(history), decisions: decisions,
            held: held, canApprove: held && request.may(.approver), asksCode: request.person?.sealedTOTPSecret != nil,
            canCancel: [.created, .validated].contains(payment.state) && request.may(.operator),
            sha256: payment.approvalDigest, back: "/console/payments/\(payment.id)")
        return await render("payment", "Payment \(payment.id)", model, request)
    }

    func cancelPayment(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        return try await act(request, back: "/console/payments/\(id)") { person in
            let reason = try request.requiredField("reason", "why the payment is cancelled")
            let payment = try await store.cancelPayment(id: id, actor: person.actor, reason: reason)
            return "cancelled \(payment.id): now \(payment.state.rawValue)"
        }
    }
}
