import Hummingbird

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
            collection.on(RouterPath(route.path), method: route.method, use: handler)
        }
        // Middleware applies to the routes added after it.
        for middleware in authentication { collection.add(middleware: middleware) }
        for (route, handler) in ordered where route.authenticated {
            collection.on(RouterPath(route.path), method: route.method, use: handler)
        }
        return collection
    }
}
