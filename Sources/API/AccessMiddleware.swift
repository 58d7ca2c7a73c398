import Hummingbird
import Logging

/// Measures and logs every request once it has its final status: one log line (method, route,
/// status, milliseconds; never bodies or query values) and the request metrics.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: APIMetrics

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        metrics.requestStarted()
        defer { metrics.requestEnded() }
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        // The route the router matched. An answer the router gave without a match (a wrong method on
        // a known path, 405, or an unknown path, 404) is looked up in the table the router is built
        // from, so a 405 counts under its path; unknown paths are one label, so scanners cannot grow
        // the metric without bound.
        let unrouted = response.status == .methodNotAllowed || response.status == .notFound
        let route = (unrouted ? APIRoute.routes(forPath: request.uri.path).first?.path : context.endpointPath) ?? "unmatched"
        metrics.requestFinished(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route), "status": .stringConvertible(response.status.code),
            "ms": .stringConvertible((elapsed.seconds * 1_000_000).rounded() / 1_000),
        ])
        return response
    }
}
