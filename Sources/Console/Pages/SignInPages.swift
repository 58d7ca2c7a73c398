import Foundation
import Payments

/// Signing in and out. A sign-in needs the operator's password and, once they enrolled TOTP, the
/// current code (each accepted once); refusals all say the same, are logged and recorded in the
/// audit log, and lock the name out after the configured count.
extension ConsolePages {
    struct SignInModel {
        var csrf: String
        var name: String
        var error: String?
    }

    func signInPage(_ request: ConsoleRequest) async throws -> ConsoleReply {
        if request.person != nil { return .redirect(ConsoleRoute.today.path) }
        return signInForm(request, name: "", error: nil)
    }

    private func signInForm(_ request: ConsoleRequest, name: String, error: String?) -> ConsoleReply {
        let token = ConsoleSessions.randomToken()
        var reply = console.views.page("sign-in", title: "Sign in", model: SignInModel(csrf: token, name: name, error: error), for: request,
                                       status: error == nil ? .ok : .unauthorized)
        reply.setCookie(ConsoleGate.signInCookie, token, secure: configuration.secure)
        return reply
    }

    func signIn(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let name = String((request.field("operator") ?? "").prefix(64))
        let password = request.form["password"] ?? ""
        let code = request.field("totp")
        if let until = try await console.throttle.lockedUntil(name, at: request.now) {
            console.logger.warning("console sign-in refused: locked out", metadata: ["operator": "\(name)"])
            return signInForm(request, name: name, error: "Too many refused sign-ins for \(name): try again after \(Format.time(until)).")
        }
        do {
            let person = try await store.authenticate(name: name, password: password, code: code, secrets: configuration.secrets,
                                                      at: request.now)
            try await console.throttle.succeeded(name)
            let (token, _) = try await console.sessions.start(operatorName: person.name, at: request.now)
            console.logger.notice("console sign-in", metadata: ["operator": "\(person.name)"])
            _ = try await store.appendAudit(AuditRecord(actor: person.actor, action: .signedIn, subjects: [person.id], detail: "console"),
                                            at: request.now)
            var reply = ConsoleReply.redirect(ConsoleRoute.today.path)
            reply.setCookie(ConsoleGate.sessionCookie, token, secure: configuration.secure)
            reply.setCookie(ConsoleGate.signInCookie, nil, secure: configuration.secure)
            return reply
        } catch let error as PaymentError where error.code == .forbidden {
            let locked = try await console.throttle.refused(name, at: request.now)
            console.logger.warning("console sign-in refused", metadata: ["operator": "\(name)", "locked_out": "\(locked != nil)"])
            // A name that is no operator is recorded as such: what was typed may be a password.
            let known = (try? await store.operatorNamed(name)) != nil
            _ = try await store.appendAudit(AuditRecord(actor: .operator, action: .signInRefused, subjects: [],
                                                        detail: "console: " + (known ? name : "an unknown name")
                                                            + (locked.map { "; locked out until \(Timestamp.format($0))" } ?? "")),
                                            at: request.now)
            return signInForm(request, name: name, error: "The operator name, password or code was refused.")
        }
    }

    func signOut(_ request: ConsoleRequest) async throws -> ConsoleReply {
        if let session = request.session { try await console.sessions.end(key: session.key) }
        var reply = ConsoleReply.redirect(ConsoleRoute.signInPage.path)
        reply.setCookie(ConsoleGate.sessionCookie, nil, secure: configuration.secure)
        return reply
    }
}
