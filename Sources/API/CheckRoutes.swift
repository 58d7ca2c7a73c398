import Foundation
import HTTPTypes
import Hummingbird
import NACHA
import Payments

/// The Positive Pay check endpoints: register a check with the idempotency protocol, read one with
/// its history, list, void.
struct CheckRoutes: APIRouteGroup {
    let store: any APIStore
    let configuration: APIConfiguration

    var handlers: [APIRoute: Handler] {
        [
            .createCheck: create,
            .listChecks: list,
            .getCheck: show,
            .voidCheck: void,
        ]
    }

    /// `POST /positive-pay/checks`. The same key and body while the check is not final is a 409
    /// pointing at the check; once it is final, the check is answered with `Idempotent-Replayed`.
    func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        guard let key = context.idempotencyKey else { throw Problem(.idempotencyKeyMissing, "send an Idempotency-Key header") }
        let document = try await RequestBody.decode(CheckIssueRequest.self, from: request, name: "check document",
                                                    limit: configuration.maximumBodyBytes)
        let account = try await ownedAccount(document.accountID, of: merchant)
        var validated = try document.validate(for: account, rules: configuration.checkRules, today: configuration.today())
        // The key binds method, path and canonical body, as for payments.
        validated.fingerprint = SHA256Digest.hex(Array("POST /positive-pay/checks\n\(validated.fingerprint)".utf8))
        let outcome = try await store.issueChecks([CheckIntake(merchantID: merchant.id, idempotencyKey: key, check: validated, actor: .api,
                                                               source: .apiRequest(idempotencyKey: key))])[0]
        let check = outcome.check
        var headers: HTTPFields = [.location: "/positive-pay/checks/\(check.id)"]
        if outcome.created { return JSONBody.response(.created, CheckDocument(check), headers: headers) }
        guard check.state.isTerminal else {
            headers[.link] = "<\(configuration.idempotencyDocumentation)>; rel=\"describedby\""
            throw Problem(.idempotencyConflict,
                          "the check for this key is \(check.state.rawValue); check GET /positive-pay/checks/\(check.id) instead of retrying",
                          instance: key, paymentID: check.id, headers: headers)
        }
        headers[.idempotentReplayed] = "true"
        return JSONBody.response(.created, CheckDocument(check), headers: headers)
    }

    /// The check with its history, oldest first.
    struct CheckWithHistory: Encodable {
        var check: CheckDocument
        var history: [HistoryDocument]
        enum CodingKeys: String, CodingKey { case history }
        func encode(to encoder: any Encoder) throws {
            try check.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(history, forKey: .history)
        }
    }

    /// `GET /positive-pay/checks/{id}`: the authoritative state and the history that led to it.
    func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let check = try await ownedCheck(context)
        let history = try await store.checkHistory(checkID: check.id)
        return JSONBody.response(.ok, CheckWithHistory(check: CheckDocument(check), history: history.map(HistoryDocument.init)))
    }

    /// `POST /positive-pay/checks/{id}/void`: cancelled at once when never sent, else a void record
    /// in the next issue file; a paid check is refused with 409.
    func void(_ request: Request, context: APIRequestContext) async throws -> Response {
        let check = try await ownedCheck(context)
        let voided = try await store.voidCheck(id: check.id, actor: .api, source: context.idempotencyKey.map { .apiRequest(idempotencyKey: $0) })
        return JSONBody.response(.ok, CheckDocument(voided))
    }

    struct CheckList: Encodable {
        var data: [CheckDocument]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case data, nextCursor = "next_cursor" }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(data, forKey: .data)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    /// `GET /positive-pay/checks?state=&account=&limit=&cursor=`: the merchant's checks in creation order.
    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        let parameters = request.uri.queryParameters
        var errors: [PaymentError.FieldError] = []
        var query = CheckQuery(merchantID: merchant.id, limit: configuration.defaultPageSize)
        if let state = parameters["state"].map(String.init) {
            query.state = PaymentState(rawValue: state)
            if query.state == nil {
                errors.append(.init(field: "state", code: "invalid", message: "must be one of "
                                    + PaymentState.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        if let account = parameters["account"].map(String.init) { query.accountID = account }
        if let text = parameters["limit"].map(String.init) {
            if let limit = Int(text), (1...configuration.maximumPageSize).contains(limit) {
                query.limit = limit
            } else {
                errors.append(.init(field: "limit", code: "out_of_range", message: "must be 1 to \(configuration.maximumPageSize)"))
            }
        }
        if let cursor = parameters["cursor"].map(String.init) {
            query.afterID = Cursor.decode(cursor, prefix: "chk_")
            if query.afterID == nil {
                errors.append(.init(field: "cursor", code: "invalid_cursor", message: "must be a next_cursor this API returned"))
            }
        }
        guard errors.isEmpty else { throw Problem(.invalidQuery, "the query is invalid", fieldErrors: errors) }
        let pageSize = query.limit
        query.limit += 1
        var checks = try await store.checks(query)
        let more = checks.count > pageSize
        if more { checks.removeLast() }
        return JSONBody.response(.ok, CheckList(data: checks.map(CheckDocument.init),
                                                nextCursor: more ? checks.last.map { Cursor.encode($0.id) } : nil))
    }

    private func ownedCheck(_ context: APIRequestContext) async throws -> CheckIssue {
        let merchant = try context.authenticatedMerchant()
        let check = try await store.check(id: context.parameters.get("id") ?? "")
        guard check.merchantID == merchant.id else { throw Problem(.notFound, "no such resource") }
        return check
    }

    /// The merchant's enrolled account; an unknown or another merchant's account is a field error.
    private func ownedAccount(_ id: String, of merchant: Merchant) async throws -> CheckAccount {
        let account: CheckAccount? = try await {
            do { return try await store.checkAccount(id: id) } catch let error as PaymentError where error.code == .notFound { return nil }
        }()
        guard let account, account.merchantID == merchant.id else {
            throw Problem(.validationFailed, "the check request is invalid", fieldErrors: [
                .init(field: "account_id", code: "unknown_account", message: "is not an enrolled account of this merchant"),
            ])
        }
        return account
    }
}
