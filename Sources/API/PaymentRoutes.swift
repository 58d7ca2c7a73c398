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
        var validated = try document.validate(rules: configuration.rules, today: configuration.today())
        // The key binds method, path and canonical body: the same body sent elsewhere is another request.
        validated.fingerprint = SHA256Digest.hex(Array("POST /payments/ach\n\(validated.fingerprint)".utf8))
        let intake = PaymentIntake(merchantID: merchant.id, idempotencyKey: key, request: validated, actor: .api,
                                   source: SourceReference.apiRequest(idempotencyKey: key), keepsResponse: true)
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

    /// `GET /payments?state=&created_after=&limit=&cursor=`: the merchant's payments in creation order.
    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        var common = Page<PaymentDocument>.Query(request, configuration: configuration, prefix: "pay_")
        var query = PaymentQuery(merchantID: merchant.id, state: common.state, afterID: common.afterID, limit: common.limit)
        if let text = request.uri.queryParameters["created_after"].map(String.init) {
            query.createdAfter = try? Date(text, strategy: .iso8601)
            if query.createdAfter == nil {
                common.errors.append(.init(field: "created_after", code: "invalid_timestamp",
                                           message: "must be an RFC 3339 timestamp such as 2026-11-22T00:00:00Z"))
            }
        }
        guard common.errors.isEmpty else { throw Problem(.invalidQuery, "the query is invalid", fieldErrors: common.errors) }
        let page = try await Page<PaymentDocument>.fetch(limit: common.limit, id: \.id) { limit in
            query.limit = limit
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

/// Opaque page cursors: the last id of the page, base64url-encoded.
enum Cursor {
    static func encode(_ id: String) -> String { Base64URL.encode(Array(id.utf8)) }

    static func decode(_ cursor: String, prefix: String = "pay_") -> String? {
        guard let data = Base64URL.decode(cursor), let id = String(data: data, encoding: .utf8),
              id.hasPrefix(prefix), id.utf8.count <= 64 else { return nil }
        return id
    }
}
