import Hummingbird
import Logging
import Payments

/// Builds the router: the middleware chain every request passes, then each route in `APIRoute.all`.
public enum APIServer {
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
