import Foundation
import Payments

/// The console's pages and actions, one handler per `ConsoleRoute`; each area in its own file.
struct ConsolePages: Sendable {
    let console: Console

    var store: any LedgerStore { console.store }
    var configuration: ConsoleConfiguration { console.configuration }

    var handlers: [ConsoleRoute: ConsoleGate.Handler] {
        [
            .stylesheet: { _ in
                var reply = ConsoleReply(body: Views.stylesheet)
                reply.headers[.contentType] = "text/css; charset=utf-8"
                reply.headers[.cacheControl] = "max-age=3600"
                return reply
            },
            .signInPage: signInPage, .signIn: signIn, .signOut: signOut,
            .home: { _ in .redirect(ConsoleRoute.today.path) }, .today: today,
            .files: files, .file: file, .downloadFile: downloadFile, .retryFile: retryFile, .cancelFile: cancelFile,
            .payments: payments, .payment: payment, .cancelPayment: cancelPayment, .revealAccount: revealAccount,
            .bankFiles: bankFiles, .bankFile: bankFile, .dismissBankFile: dismissBankFile,
            .positivePay: positivePay, .decideException: decideException,
            .approvals: approvals, .approve: { try await decide(.approved, $0) }, .reject: { try await decide(.rejected, $0) },
            .webhooks: webhooks, .replayEvent: replayEvent,
            .audit: audit, .verifyAudit: verifyAudit,
            .operatorList: operatorList, .addOperator: addOperator, .changeOperator: changeOperator,
            .account: account, .changePassword: changePassword, .enrolTOTP: enrolTOTP,
        ]
    }

    /// `template` in the layout, with the notice the last action left.
    func render(_ template: String, _ title: String, _ model: Any, _ request: ConsoleRequest) async -> ConsoleReply {
        var notice: OperatorSession.Notice?
        if let session = request.session {
            do {
                notice = try await console.sessions.takeNotice(of: session)
            } catch {
                // Shown again on the next page rather than lost: the page itself is unaffected.
                notice = session.notice
                console.logger.error("console notice not cleared", metadata: ["error": "\(error)"])
            }
        }
        return console.views.page(template, title: title, model: model, for: request, notice: notice)
    }

    /// A form's action: `action` as the signed-in operator (the audit log's actor for changes that
    /// name none), its outcome as the next page's notice, and the browser sent back where the form
    /// came from. A refusal changes nothing and says why.
    func act(_ request: ConsoleRequest, back fallback: String, _ action: @Sendable (Operator) async throws -> String) async throws -> ConsoleReply {
        let person = try request.signedIn
        let notice: OperatorSession.Notice
        do {
            let text = try await AuditActing.$actor.withValue(person.actor) { try await action(person) }
            notice = .init(text: text, isError: false)
        } catch let error as PaymentError {
            notice = .init(text: error.message, isError: true)
        } catch let error as ConsoleError {
            notice = .init(text: error.message, isError: true)
        } catch {
            console.logger.error("console action failed", metadata: ["route": "\(request.route)", "error": "\(error)"])
            notice = .init(text: "not done: \(error)", isError: true)
        }
        if let key = request.session?.key { try await console.sessions.setNotice(notice, key: key) }
        return .redirect(request.back(or: fallback))
    }

    /// The next page's link of a list: the same filters, after `cursor`.
    func nextLink(_ request: ConsoleRequest, cursor: String?) -> String? {
        guard let cursor else { return nil }
        var fields = request.query.filter { $0.key != "cursor" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        fields.append(("cursor", cursor))
        return request.path + "?" + FormBody.encode(fields)
    }

    /// A page of `items`, newest first, after the request's cursor.
    func page<Item>(_ items: [Item], _ request: ConsoleRequest, prefix: String, id: (Item) -> String,
                    createdAt: (Item) -> Date) throws(ConsoleError) -> (items: [Item], next: String?) {
        let window = try window(request, prefix: prefix, limit: configuration.pageSize + 1)
        var selected = window.select(items, id: id, createdAt: createdAt)
        let more = selected.count > configuration.pageSize
        if more { selected.removeLast(selected.count - configuration.pageSize) }
        return (selected, nextLink(request, cursor: more ? selected.last.map { ListCursor.encode(id($0)) } : nil))
    }

    /// The list window the request's filters name: `from` and `to` days (UTC, `to` included), newest
    /// first, after its cursor.
    func window(_ request: ConsoleRequest, prefix: String, limit: Int) throws(ConsoleError) -> ListWindow {
        let after = request.filter("cursor").flatMap { ListCursor.decode($0, prefix: prefix) }
        let until = try Format.day(request.filter("to")).map { $0.addingTimeInterval(86_400) }
        return ListWindow(since: try Format.day(request.filter("from")), until: until, newestFirst: true, afterID: after, limit: limit)
    }

    /// Merchants by id, for pages that name them: `acme`, not `mer_01…`.
    func merchantNames() async throws -> [String: String] {
        Dictionary(try await store.merchants().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// A choice among an enum's values for a filter's `<select>`.
    struct Option: Sendable {
        var value: String
        var selected: Bool
    }

    static func options(_ values: [String], selected: String?) -> [Option] {
        values.map { Option(value: $0, selected: $0 == selected) }
    }
}
