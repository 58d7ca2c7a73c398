import Foundation
import HTTPTypes
import Hummingbird
import Payments

/// The payment endpoints: create with the idempotency protocol, read one, its history, list.
struct PaymentRoutes: APIRouteGroup {
    let store: any APIStore
    let groupCommit: GroupCommit
    let configuration: APIConfiguration
    let metrics: APIMetrics

    var handlers: [APIRoute: Handler] {
        [
            .createPayment: create,
            .listPayments: list,
            .getPayment: show,
            .paymentEvents: events,
            .cancelPayment: cancel,
        ]
    }

    /// `POST /payments/ach`.
    ///
    /// The idempotency key row is written in the same transaction as the payment, so a crash
    /// mid-request leaves no key behind to get stuck; a duplicate that arrives while the first is
    /// being written waits for that transaction (group commit or SQLite's writer lock) and then sees it.
    func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        guard let key = context.idempotencyKey else { throw Problem(.idempotencyKeyMissing, "send an Idempotency-Key header") }
        let document = try await RequestBody.decode(PaymentRequest.self, from: request, name: "payment document",
                                                    limit: configuration.maximumBodyBytes)
        let validated = try document.validate(rules: configuration.rules, today: configuration.today())
        let intake = PaymentIntake(merchantID: merchant.id, idempotencyKey: key, request: validated, actor: .api,
                                   source: SourceReference.apiRequest(idempotencyKey: key), keepsResponse: true,
                                   approvalsRequired: configuration.approvals.approvalsRequired(merchant: merchant, request: validated))
        let outcome = try await groupCommit.submit(intake).get()
        let payment = outcome.payment
        if outcome.created { metrics.transition(to: payment.state) }
        return try IdempotentCreation(created: outcome.created, id: payment.id, state: payment.state, noun: "payment",
                                      location: "/payments/\(payment.id)",
                                      body: outcome.firstResponse ?? PaymentDocument.encode(payment))
            .response(key: key, configuration: configuration)
    }

    /// `GET /payments/{id}`: the authoritative state. Another merchant's payment is as unknown as a missing one.
    func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let payment = try await ownedPayment(context)
        return JSONBody.response(.ok, PaymentDocument.encode(payment))
    }

    /// `POST /payments/{id}/cancel`: stopped before the bank (P_FAILED, failure `cancelled`, funds
    /// released), taken out of a file that was rendered and never sent; 409 once its file is on its
    /// way. Cancelling again returns the payment as it is.
    func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        let payment = try await ownedPayment(context)
        guard let key = context.idempotencyKey else { throw Problem(.idempotencyKeyMissing, "send an Idempotency-Key header") }
        let cancelled = try await store.cancelPayment(id: payment.id, actor: .api, reason: "cancelled by the merchant (Idempotency-Key \(key))")
        if cancelled.version != payment.version { metrics.transition(to: cancelled.state) }
        return JSONBody.response(.ok, PaymentDocument.encode(cancelled))
    }

    struct EventList: Encodable {
        var data: [HistoryDocument]
    }

    /// `GET /payments/{id}/events`: the append-only history, oldest first.
    func events(_ request: Request, context: APIRequestContext) async throws -> Response {
        let payment = try await ownedPayment(context)
        let history = try await store.history(paymentID: payment.id)
        return JSONBody.response(.ok, EventList(data: history.map(HistoryDocument.init)))
    }

    /// `GET /payments?state=&min_amount=&max_amount=&trace_number=&since=&until=&order=&limit=&cursor=`:
    /// the merchant's payments, oldest first unless `order=newest_first`.
    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        var list = ListParameters(request, configuration: configuration, prefix: Payment.idPrefix)
        var query = PaymentQuery(merchantID: merchant.id, state: list.state(), minimumAmount: list.integer("min_amount"),
                                 maximumAmount: list.integer("max_amount"), traceNumber: list.integer("trace_number").map(Int.init),
                                 window: list.window)
        try list.validate()
        let page = try await ListPage.fetch(query.window, id: \.id) { window in
            query.window = window
            return try await store.payments(query).map(PaymentDocument.init)
        }
        return JSONBody.response(.ok, page)
    }

    private func ownedPayment(_ context: APIRequestContext) async throws -> Payment {
        let merchant = try context.authenticatedMerchant()
        let id = context.parameters.get("id") ?? ""
        let payment = try await store.payment(id: id)
        guard payment.merchantID == merchant.id else { throw Problem(.notFound, "no such resource") }
        return payment
    }
}
