import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Payments

/// The one way into a console route: the session from its cookie, the operator as stored now (a
/// disabled one is signed out), the route's roles, the CSRF token of a POST, then the page; every
/// answer carries the security headers. A failing page is shown as a page, never a stack trace.
struct ConsoleGate: Sendable {
    typealias Handler = @Sendable (ConsoleRequest) async throws -> ConsoleReply

    static let sessionCookie = "metl_session"
    /// The sign-in form's CSRF token, before there is a session: a cookie the form must repeat.
    static let signInCookie = "metl_sign_in"
    static let maximumFormBytes = 64 * 1024

    let console: Console
    let route: ConsoleRoute
    let handler: Handler

    func respond(to request: Request, parameters: Parameters, logger: Logger) async throws -> Response {
        let now = console.configuration.clock()
        let reply: ConsoleReply
        do {
            reply = try await handle(request, parameters: parameters, at: now, logger: logger)
        } catch {
            reply = failure(error, for: nil, logger: logger)
        }
        return Self.response(reply, secure: console.configuration.secure)
    }

    /// The page that says why: inside the layout of whoever asked, when the gate knows them.
    private func failure(_ error: any Error, for request: ConsoleRequest?, logger: Logger) -> ConsoleReply {
        let (status, text): (HTTPResponse.Status, String) = switch error {
        case let error as ConsoleError: (error.status, error.message)
        case let error as PaymentError: (Self.status(of: error), error.message)
        default: (.internalServerError, "metl could not answer this page: \(error). Nothing was changed by showing it.")
        }
        if status == .internalServerError { logger.error("console page failed", metadata: ["route": "\(route)", "error": "\(error)"]) }
        return console.views.message(status: status, title: title(of: status), text: text, for: request)
    }

    private func handle(_ request: Request, parameters: Parameters, at now: Date, logger: Logger) async throws -> ConsoleReply {
        let cookies = Self.cookies(request)
        var session: OperatorSession?
        if let token = cookies[Self.sessionCookie] { session = try await console.sessions.session(token: token, at: now) }
        var person: Operator?
        if let current = session {
            let stored = try? await console.store.operatorNamed(current.operatorName)
            if let stored, stored.isEnabled {
                person = stored
            } else {
                try await console.sessions.end(key: current.key)
                session = nil
            }
        }
        // Who asked, for the refusal's page: their navigation stays.
        let asking = ConsoleRequest(route: route, path: request.uri.path, query: [:], form: [:], parameters: [:], session: session,
                                    person: person, cookies: cookies, now: now)
        do {
            return try await admit(request, parameters: parameters, asking: asking)
        } catch {
            return failure(error, for: asking, logger: logger)
        }
    }

    /// The route's roles, a POST's form and its CSRF token, then the page.
    private func admit(_ request: Request, parameters: Parameters, asking: ConsoleRequest) async throws -> ConsoleReply {
        let (session, person, cookies, now) = (asking.session, asking.person, asking.cookies, asking.now)
        if case .roles = route.access {
            guard let person else {
                if request.method == .get { return .redirect(ConsoleRoute.signInPage.path) }
                throw ConsoleError.forbidden("your session ended; sign in again, then send the form again")
            }
            guard route.allows(person.roles) else {
                throw ConsoleError.forbidden("\(person.name) holds the role\(person.roles.count == 1 ? "" : "s") "
                                             + person.roles.sorted().map(\.rawValue).joined(separator: ", ") + ", which do not open this page")
            }
        }
        var form: [String: String] = [:]
        if request.method == .post {
            var body = request.body
            let bytes: ByteBuffer
            do {
                bytes = try await body.collect(upTo: Self.maximumFormBytes)
            } catch {
                throw ConsoleError(status: .contentTooLarge, message: "a console form is at most \(Self.maximumFormBytes / 1024) KiB")
            }
            form = FormBody.parse(Substring(String(decoding: bytes.readableBytesView, as: UTF8.self)))
            let expected = route == .signIn ? cookies[Self.signInCookie] : session?.csrf
            guard let expected, let given = form["csrf"], Self.constantTimeEqual(given, expected) else {
                throw ConsoleError.forbidden("the form's security token is missing or stale; reload the page and send it again")
            }
        }
        var named: [String: String] = [:]
        for name in ["id", "name"] { if let value = parameters.get(name) { named[name] = value } }
        let query = FormBody.parse(Substring(request.uri.query ?? ""))
        return try await handler(ConsoleRequest(route: route, path: request.uri.path, query: query, form: form, parameters: named,
                                                session: session, person: person, cookies: cookies, now: now))
    }

    private func title(of status: HTTPResponse.Status) -> String {
        switch status.code {
        case 403: "Not allowed"
        case 404: "Not found"
        case 413: "Too large"
        case 409: "Changed meanwhile"
        case 500: "Something went wrong"
        default: "Not done"
        }
    }

    static func status(of error: PaymentError) -> HTTPResponse.Status {
        switch error.code {
        case .notFound: .notFound
        case .forbidden: .forbidden
        default: .unprocessableContent
        }
    }

    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if cookies[name] == nil { cookies[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return cookies
    }

    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let (a, b) = (Array(left.utf8), Array(right.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The headers of every console answer: no script at all, no framing, no referrer, no caching
    /// of pages that show the ledger, and HTTPS only once served over it.
    static func response(_ reply: ConsoleReply, secure: Bool) -> Response {
        var headers = reply.headers
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xContentTypeOptions] = "nosniff"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        if secure { headers[.strictTransportSecurity] = "max-age=31536000" }
        return Response(status: reply.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
