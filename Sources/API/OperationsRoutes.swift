import Foundation
import Hummingbird
import Payments

/// Endpoints for operators and machines: liveness, readiness, metrics and the API description.
struct OperationsRoutes: APIRouteGroup {
    let store: any APIStore
    let metrics: APIMetrics
    let build: BuildInfo

    var handlers: [APIRoute: Handler] {
        [
            .health: health,
            .readiness: readiness,
            .metrics: prometheus,
            .openAPI: openAPI,
        ]
    }

    struct Status: Encodable { var status: String }
    struct Health: Encodable { var status: String, version: String, commit: String }

    /// `GET /healthz`: the process answers, and which build it is.
    func health(_ request: Request, context: APIRequestContext) -> Response {
        JSONBody.response(.ok, Health(status: "ok", version: build.version, commit: build.commit))
    }

    /// `GET /readyz`: the database can be read, so requests can be served.
    func readiness(_ request: Request, context: APIRequestContext) async throws -> Response {
        do {
            try await store.checkReachable()
        } catch {
            context.logger.warning("not ready", metadata: ["error": "\(error)"])
            throw Problem(.unavailable, "the database is not reachable", headers: [.retryAfter: "5"])
        }
        return JSONBody.response(.ok, Status(status: "ready"))
    }

    /// `GET /metrics`: Prometheus text exposition.
    func prometheus(_ request: Request, context: APIRequestContext) async throws -> Response {
        // A failed count leaves the last figures in place rather than failing the scrape.
        if let counts = try? await store.countsByState() { metrics.setPayments(counts) }
        if let backlog = try? await store.backlog() { metrics.setBacklog(backlog) }
        return JSONBody.response(.ok, Data(metrics.render()), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// `GET /openapi.json`: the document in the repository, compiled into the binary.
    func openAPI(_ request: Request, context: APIRequestContext) -> Response {
        JSONBody.response(.ok, Data(PackageResources.openapi_json))
    }
}
