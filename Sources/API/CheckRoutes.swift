import Foundation
import HTTPTypes
import Hummingbird
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
            .listCheckExceptions: exceptions,
            .getCheckException: showException,
            .decideCheckException: decide,
        ]
    }

    /// `POST /positive-pay/checks`. The same key and body while the check is not final is a 409
    /// pointing at the check; once it is final, the first answer is replayed byte for byte
    /// (`Idempotent-Replayed`).
    func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        guard let key = context.idempotencyKey else { throw Problem(.idempotencyKeyMissing, "send an Idempotency-Key header") }
        let document = try await RequestBody.decode(CheckIssueRequest.self, from: request, name: "check document",
                                                    limit: configuration.maximumBodyBytes)
        let account = try await store.enrolledAccount(document.accountID, of: merchant.id)
        let validated = try document.validate(for: account, rules: configuration.checkRules, today: configuration.today())
        let outcome = try await store.issueChecks([CheckIntake(merchantID: merchant.id, idempotencyKey: key, check: validated, actor: .api,
                                                               source: .apiRequest(idempotencyKey: key), keepsResponse: true)])[0]
        let check = outcome.check
        return try IdempotentCreation(created: outcome.created, id: check.id, state: check.state, noun: "check",
                                      location: "/positive-pay/checks/\(check.id)",
                                      body: outcome.firstResponse ?? DocumentJSON.encode(CheckDocument(check)))
            .response(key: key, configuration: configuration)
    }

    /// `GET /positive-pay/checks/{id}`: the authoritative state and the history that led to it, oldest first.
    func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let check = try await ownedCheck(context)
        let history = try await store.checkHistory(checkID: check.id)
        return JSONBody.response(.ok, DocumentWithList(document: CheckDocument(check), name: "history", items: history.map(HistoryDocument.init)))
    }

    /// `POST /positive-pay/checks/{id}/void`: cancelled at once when never sent, else a void record
    /// in the next issue file; a paid check is refused with 409.
    func void(_ request: Request, context: APIRequestContext) async throws -> Response {
        let check = try await ownedCheck(context)
        let voided = try await store.voidCheck(id: check.id, actor: .api, source: context.idempotencyKey.map { .apiRequest(idempotencyKey: $0) })
        return JSONBody.response(.ok, CheckDocument(voided))
    }

    /// `GET /positive-pay/checks?state=&account=&serial=&min_amount=&max_amount=&since=&until=&order=&limit=&cursor=`:
    /// the merchant's checks, oldest first unless `order=newest_first`.
    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        var list = ListParameters(request, configuration: configuration, prefix: CheckIssue.idPrefix)
        var query = CheckQuery(merchantID: merchant.id, accountID: list.text("account"), state: list.state(), serial: list.text("serial").map(CheckIssue.matchingSerial),
                               minimumAmount: list.integer("min_amount"), maximumAmount: list.integer("max_amount"), window: list.window)
        try list.validate()
        let page = try await ListPage.fetch(query.window, id: \.id) { window in
            query.window = window
            return try await store.checks(query).map(CheckDocument.init)
        }
        return JSONBody.response(.ok, page)
    }

    /// `GET /positive-pay/exceptions?status=&since=&until=&order=&limit=&cursor=`: the merchant's
    /// exceptions, oldest first unless `order=newest_first`.
    func exceptions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        var list = ListParameters(request, configuration: configuration, prefix: CheckException.idPrefix)
        let status = list.value("status", CheckException.Status.self)
        try list.validate()
        let page = try await ListPage.fetch(list.window, id: \.id) { window in
            // A few a day: chosen from the merchant's exceptions, as a store would.
            window.select(try await store.checkExceptions(merchantID: merchant.id, status: status), id: \.id, createdAt: \.createdAt)
                .map(CheckExceptionDocument.init)
        }
        return JSONBody.response(.ok, page)
    }

    /// `GET /positive-pay/exceptions/{id}`: the authoritative status of an exception (the status
    /// endpoint its webhooks point at) and the decisions made on it, oldest first.
    func showException(_ request: Request, context: APIRequestContext) async throws -> Response {
        let exception = try await ownedException(context)
        let decisions = try await store.decisions(exceptionID: exception.id)
        return JSONBody.response(.ok, DocumentWithList(document: CheckExceptionDocument(exception), name: "decisions",
                                                       items: decisions.map(ExceptionDecisionDocument.init)))
    }

    /// `POST /positive-pay/exceptions/{id}/decision`: pay or return before the deadline (409
    /// deadline_passed after it, state_conflict once decided).
    func decide(_ request: Request, context: APIRequestContext) async throws -> Response {
        let exception = try await ownedException(context)
        let document = try await RequestBody.decode(DecisionRequest.self, from: request, name: "decision document",
                                                    limit: configuration.maximumBodyBytes)
        let decision = try document.validated()
        let source = context.idempotencyKey.map { SourceReference.apiRequest(idempotencyKey: $0) }
        if exception.status != .open, let earlier = try await decisionMade(on: exception, by: source) {
            // The same key again: the decision it made, replayed; another decision is the conflict below.
            guard earlier.decision == decision else {
                throw Problem(.idempotencyKeyReused, "idempotency key \(context.idempotencyKey ?? "") was already used with a different decision")
            }
            return JSONBody.response(.created, ExceptionDecisionDocument(earlier), headers: [.idempotentReplayed: "true"])
        }
        let made = try await store.decideException(id: exception.id, decision: decision, returnReason: document.returnReason,
                                                   actor: .api, source: source, at: Date())
        return JSONBody.response(.created, ExceptionDecisionDocument(made))
    }

    /// The decision on `exception` that the request `source` made, if one did.
    private func decisionMade(on exception: CheckException, by source: SourceReference?) async throws -> ExceptionDecision? {
        guard let source else { return nil }
        for decision in try await store.decisions(exceptionID: exception.id) {
            if try await store.decisionHistory(decisionID: decision.id).first?.source == source { return decision }
        }
        return nil
    }

    private func ownedException(_ context: APIRequestContext) async throws -> CheckException {
        let merchant = try context.authenticatedMerchant()
        let exception = try await store.checkException(id: context.parameters.get("id") ?? "")
        guard exception.merchantID == merchant.id else { throw Problem(.notFound, "no such resource") }
        return exception
    }

    private func ownedCheck(_ context: APIRequestContext) async throws -> CheckIssue {
        let merchant = try context.authenticatedMerchant()
        let check = try await store.check(id: context.parameters.get("id") ?? "")
        guard check.merchantID == merchant.id else { throw Problem(.notFound, "no such resource") }
        return check
    }
}
