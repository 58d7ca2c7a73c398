import Hummingbird
import Payments

/// A group of endpoints (payments, webhook endpoints, operations) and the handler of each route it
/// serves, as a Hummingbird route collection.
protocol APIRouteGroup: Sendable {
    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response
    var handlers: [APIRoute: Handler] { get }
}

extension APIRouteGroup {
    /// The group's routes. Those that act for a merchant pass `authentication` first; the rest
    /// (health, metrics, the OpenAPI document) do not.
    func routes(authentication: [any MiddlewareProtocol<Request, Response, APIRequestContext>]) -> RouteCollection<APIRequestContext> {
        let collection = RouteCollection(context: APIRequestContext.self)
        let ordered = handlers.sorted { $0.key.description < $1.key.description }
        for (route, handler) in ordered where !route.authenticated {
            collection.on(RouterPath(route.path), method: route.method, use: Self.checkingQuery(of: route, handler))
        }
        // Middleware applies to the routes added after it.
        for middleware in authentication { collection.add(middleware: middleware) }
        for (route, handler) in ordered where route.authenticated {
            collection.on(RouterPath(route.path), method: route.method, use: Self.checkingQuery(of: route, handler))
        }
        return collection
    }

    /// `handler`, after refusing a query parameter `route` does not take or one given twice: a
    /// misspelt filter must not quietly list everything.
    private static func checkingQuery(of route: APIRoute, _ handler: @escaping Handler) -> Handler {
        { request, context in
            var seen: Set<String> = []
            var errors: [PaymentError.FieldError] = []
            for (name, _) in request.uri.queryParameters {
                let name = String(name)
                if !route.query.contains(name) {
                    let takes = route.query.isEmpty ? "it takes none" : "it takes " + route.query.sorted().joined(separator: ", ")
                    errors.append(.init(field: name, code: "unknown", message: "is not a parameter of \(route); \(takes)"))
                } else if !seen.insert(name).inserted {
                    errors.append(.init(field: name, code: "repeated", message: "is given more than once"))
                }
            }
            guard errors.isEmpty else { throw Problem(.invalidQuery, "the query is invalid", fieldErrors: errors) }
            return try await handler(request, context)
        }
    }
}
