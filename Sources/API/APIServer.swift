import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Payments

/// Builds the API: the application `metl serve`, the tests and the bench run, and its router.
public enum APIServer {
    /// The HTTP server on `host:port` (port 0: any free one): the router, read deadlines for slow
    /// clients, a connection cap, and no body read after an early answer.
    public static func buildApplication(store: any APIStore, configuration: APIConfiguration = APIConfiguration(),
                                   host: String = "127.0.0.1", port: Int = 0, metrics: APIMetrics = APIMetrics(), logger: Logger,
                                   onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    -> Application<RouterResponder<APIRequestContext>> {
        let timeouts = RequestDeadlineHandler.Timeouts(header: .init(configuration.headerTimeout), body: .init(configuration.bodyTimeout),
                                                       idle: .init(configuration.idleTimeout))
        return Application(
            router: router(store: store, configuration: configuration, metrics: metrics),
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(timeouts: timeouts, maximumBodyBytes: configuration.maximumBodyBytes)])),
            configuration: .init(address: .hostname(host, port: port), serverName: "metl",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.maximumConnections, logger: logger)),
            onServerRunning: onServerRunning, logger: logger)
    }

    /// The middleware chain every request passes, then each route in `APIRoute.all`.
    public static func router(store: any APIStore, configuration: APIConfiguration = APIConfiguration(),
                              metrics: APIMetrics = APIMetrics()) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        // Outermost first: the request id is on every answer, access logging sees the final status,
        // and the problem middleware turns every error below it into problem+json.
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(configuration: configuration))

        let payments = PaymentRoutes(store: store, groupCommit: GroupCommit(store: store, maximumBatch: configuration.maximumCommitBatch), configuration: configuration,
                                     metrics: metrics)
        let operations = OperationsRoutes(store: store, metrics: metrics)
        let webhooks = WebhookEndpointRoutes(store: store, configuration: configuration)
        let handlers: [APIRoute: @Sendable (Request, APIRequestContext) async throws -> Response] = [
            .createPayment: payments.create, .listPayments: payments.list, .getPayment: payments.show,
            .paymentEvents: payments.events, .createWebhookEndpoint: webhooks.create, .listWebhookEndpoints: webhooks.list,
            .disableWebhookEndpoint: webhooks.disable, .enableWebhookEndpoint: webhooks.enable, .rotateWebhookSecret: webhooks.rotate,
            .health: operations.health, .readiness: operations.readiness,
            .metrics: operations.prometheus, .openAPI: operations.openAPI,
        ]
        let authenticated = router.group()
            .add(middleware: AuthenticationMiddleware(keys: store))
            .add(middleware: IdempotencyKeyMiddleware())
        for route in APIRoute.all {
            guard let handler = handlers[route] else { preconditionFailure("no handler for \(route)") }
            if route.authenticated {
                authenticated.on(RouterPath(route.path), method: route.method, use: handler)
            } else {
                router.on(RouterPath(route.path), method: route.method, use: handler)
            }
        }
        return router
    }
}
