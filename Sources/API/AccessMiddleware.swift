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
        // The route from the table the router is built from, so a wrong method on a known path (405)
        // is that path's route too; unmatched paths are one route, so scanners cannot grow the
        // metric without bound.
        let route = APIRoute.routes(forPath: request.uri.path).first?.path ?? "unmatched"
        metrics.requestFinished(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route), "status": .stringConvertible(response.status.code),
            "ms": .stringConvertible((elapsed.seconds * 1_000_000).rounded() / 1_000),
        ])
        return response
    }
}
