/// The console: the pages people use metl through in a browser, served by `metl serve` under
/// `/console/`. It owns the console's routes and who may use each (`ConsoleRoute`), its sessions,
/// CSRF tokens and sign-in throttling (`Security/`), its pages (`Pages/`) and their templates and
/// stylesheet (`Templates/`, `Static/`). Every read and every change goes through the same
/// `Payments` operations as the CLI, so a rule holds in both; nothing here decides a business rule.
import Foundation
import Hummingbird
import Logging
import Payments

/// The console's routes over a store, ready to add to a Hummingbird router of any request context.
public struct Console: Sendable {
    let store: any LedgerStore
    let configuration: ConsoleConfiguration
    let sessions: ConsoleSessions
    let throttle: SignInThrottle
    let views: Views
    let lastVerification = VerificationRecord()
    let logger: Logger

    public init(store: any LedgerStore, configuration: ConsoleConfiguration, logger: Logger) throws {
        self.store = store
        self.configuration = configuration
        self.sessions = ConsoleSessions(store: store, idle: configuration.sessionIdle, lifetime: configuration.sessionLifetime)
        self.throttle = SignInThrottle(store: store, rule: SignInLockout(failures: configuration.signInFailures, window: configuration.signInLockout))
        self.views = try Views()
        self.logger = logger
    }

    /// Every console route, each behind `ConsoleGate`: a session holding one of its roles (or, for
    /// sign-in and the stylesheet, none), a CSRF token on every POST, and the security headers.
    public func routes<Context: RequestContext>(context: Context.Type = Context.self) -> RouteCollection<Context> {
        let collection = RouteCollection(context: Context.self)
        let handlers = ConsolePages(console: self).handlers
        for route in ConsoleRoute.all {
            guard let handler = handlers[route] else { preconditionFailure("no handler for console route \(route)") }
            let gate = ConsoleGate(console: self, route: route, handler: handler)
            collection.on(RouterPath(route.path), method: route.method) { request, context in
                try await gate.respond(to: request, parameters: context.parameters, logger: context.logger)
            }
        }
        // Any other path under the console: its own page, not the API's problem document.
        let notFound = ConsoleGate(console: self, route: .notFound, handler: { _ in throw ConsoleError.notFound("there is no such page") })
        for method in [HTTPRequest.Method.get, .post] {
            collection.on("/console/**", method: method) { request, context in
                try await notFound.respond(to: request, parameters: context.parameters, logger: context.logger)
            }
        }
        return collection
    }
}
