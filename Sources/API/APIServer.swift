import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import NIOCore
import Payments

/// Builds the API: the application `metl serve`, the tests and the bench run, and its router.
public enum APIServer {
    /// The HTTP server on `host:port` (port 0: any free one): the router, read deadlines for slow
    /// clients, a connection cap, and no body read after an early answer. `additionalRoutes` (the
    /// console) are served beside the API's, behind their own gate.
    public static func buildApplication(store: any APIStore, configuration: APIConfiguration = APIConfiguration(),
                                   host: String = "127.0.0.1", port: Int = 0, metrics: APIMetrics = APIMetrics(),
                                   additionalRoutes: [RouteCollection<APIRequestContext>] = [], logger: Logger,
                                   onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    -> Application<RouterResponder<APIRequestContext>> {
        application(store: store, configuration: configuration, host: host, port: port, metrics: metrics, additionalRoutes: additionalRoutes,
                    server: http(configuration), logger: logger, onServerRunning: onServerRunning)
    }

    /// The same server over TLS (`metl serve --tls-certificate … --tls-key …`).
    public static func buildApplication(store: any APIStore, configuration: APIConfiguration = APIConfiguration(),
                                   host: String = "127.0.0.1", port: Int = 0, metrics: APIMetrics = APIMetrics(),
                                   additionalRoutes: [RouteCollection<APIRequestContext>] = [], tls: TLSConfiguration, logger: Logger,
                                   onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) throws
    -> Application<RouterResponder<APIRequestContext>> {
        application(store: store, configuration: configuration, host: host, port: port, metrics: metrics, additionalRoutes: additionalRoutes,
                    server: try .tls(http(configuration), tlsConfiguration: tls), logger: logger, onServerRunning: onServerRunning)
    }

    private static func http(_ configuration: APIConfiguration) -> HTTPServerBuilder {
        let timeouts = RequestDeadlineHandler.Timeouts(header: .init(configuration.headerTimeout), body: .init(configuration.bodyTimeout),
                                                       idle: .init(configuration.idleTimeout))
        return .http1(configuration: .init(additionalChannelHandlers: [
            MalformedRequestHandler(typeBase: configuration.problemTypeBase),
            RequestDeadlineHandler(timeouts: timeouts, maximumBodyBytes: configuration.maximumBodyBytes),
        ]))
    }

    private static func application(store: any APIStore, configuration: APIConfiguration, host: String, port: Int, metrics: APIMetrics,
                                    additionalRoutes: [RouteCollection<APIRequestContext>], server: HTTPServerBuilder, logger: Logger,
                                    onServerRunning: @escaping @Sendable (any Channel) async -> Void)
    -> Application<RouterResponder<APIRequestContext>> {
        let router = router(store: store, configuration: configuration, metrics: metrics)
        for routes in additionalRoutes { router.addRoutes(routes) }
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "metl",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.maximumConnections, logger: logger)),
            onServerRunning: onServerRunning, logger: logger)
    }

    /// The route groups, which between them serve each route in `APIRoute.all` once.
    static func groups(store: any APIStore, configuration: APIConfiguration, metrics: APIMetrics) -> [any APIRouteGroup] {
        [
            PaymentRoutes(store: store, groupCommit: GroupCommit(store: store, maximumBatch: configuration.maximumCommitBatch),
                          configuration: configuration, metrics: metrics),
            WebhookEndpointRoutes(store: store, configuration: configuration),
            CheckRoutes(store: store, configuration: configuration),
            OperationsRoutes(store: store, metrics: metrics, build: configuration.build),
        ]
    }

    /// The middleware chain every request passes, then the route groups.
    public static func router(store: any APIStore, configuration: APIConfiguration = APIConfiguration(),
                              metrics: APIMetrics = APIMetrics()) -> Router<APIRequestContext> {
        // HEAD answers every GET route with its headers and no body.
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        metrics.build(configuration.build)
        // Outermost first: the request id is on every answer, access logging sees the final status,
        // and the problem middleware turns every error below it into problem+json.
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(configuration: configuration))

        let keys = APIKeyCache(keys: store)
        for group in groups(store: store, configuration: configuration, metrics: metrics) {
            router.addRoutes(group.routes(authentication: [AuthenticationMiddleware(keys: keys), IdempotencyKeyMiddleware()]))
        }
        return router
    }
}
