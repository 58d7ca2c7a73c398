import HTTPTypes

/// Every route the server answers, in the OpenAPI document's path syntax. The router is built from
/// these values and a test checks them against `openapi.json` in both directions.
public struct APIRoute: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    public let path: String
    /// Needs `Authorization: Bearer <api key>`.
    public let authenticated: Bool
    /// The query parameters it takes; any other, or one given twice, is a 400 problem.
    public let query: Set<String>

    init(method: HTTPRequest.Method, path: String, authenticated: Bool, query: Set<String> = []) {
        self.method = method
        self.path = path
        self.authenticated = authenticated
        self.query = query
    }

    /// What every list takes: its creation range, order, page size and cursor.
    static let window: Set<String> = ["since", "until", "order", "limit", "cursor"]

    public var description: String { "\(method.rawValue) \(path)" }

    public static let createPayment = APIRoute(method: .post, path: "/payments/ach", authenticated: true)
    public static let listPayments = APIRoute(
        method: .get, path: "/payments", authenticated: true,
        query: window.union(["state", "min_amount", "max_amount", "trace_number", "created_after"]))
    public static let getPayment = APIRoute(method: .get, path: "/payments/{id}", authenticated: true)
    public static let paymentEvents = APIRoute(method: .get, path: "/payments/{id}/events", authenticated: true)
    public static let cancelPayment = APIRoute(method: .post, path: "/payments/{id}/cancel", authenticated: true)
    public static let createWebhookEndpoint = APIRoute(method: .post, path: "/webhook-endpoints", authenticated: true)
    public static let listWebhookEndpoints = APIRoute(method: .get, path: "/webhook-endpoints", authenticated: true)
    public static let disableWebhookEndpoint = APIRoute(method: .post, path: "/webhook-endpoints/{id}/disable", authenticated: true)
    public static let enableWebhookEndpoint = APIRoute(method: .post, path: "/webhook-endpoints/{id}/enable", authenticated: true)
    public static let rotateWebhookSecret = APIRoute(method: .post, path: "/webhook-endpoints/{id}/rotate-secret", authenticated: true)
    public static let createCheck = APIRoute(method: .post, path: "/positive-pay/checks", authenticated: true)
    public static let listChecks = APIRoute(
        method: .get, path: "/positive-pay/checks", authenticated: true,
        query: window.union(["state", "account", "serial", "min_amount", "max_amount"]))
    public static let getCheck = APIRoute(method: .get, path: "/positive-pay/checks/{id}", authenticated: true)
    public static let voidCheck = APIRoute(method: .post, path: "/positive-pay/checks/{id}/void", authenticated: true)
    public static let listCheckExceptions = APIRoute(
        method: .get, path: "/positive-pay/exceptions", authenticated: true, query: window.union(["status"]))
    public static let getCheckException = APIRoute(method: .get, path: "/positive-pay/exceptions/{id}", authenticated: true)
    public static let decideCheckException = APIRoute(method: .post, path: "/positive-pay/exceptions/{id}/decision", authenticated: true)
    public static let health = APIRoute(method: .get, path: "/healthz", authenticated: false)
    public static let readiness = APIRoute(method: .get, path: "/readyz", authenticated: false)
    public static let metrics = APIRoute(method: .get, path: "/metrics", authenticated: false)
    public static let openAPI = APIRoute(method: .get, path: "/openapi.json", authenticated: false)

    public static let all: [APIRoute] = [
        createPayment, listPayments, getPayment, paymentEvents, cancelPayment, createWebhookEndpoint, listWebhookEndpoints,
        disableWebhookEndpoint, enableWebhookEndpoint, rotateWebhookSecret, createCheck, listChecks, getCheck, voidCheck, listCheckExceptions, getCheckException, decideCheckException, health,
        readiness, metrics, openAPI,
    ]

    /// The routes of a concrete path (`/payments/pay_…`), any method: their methods for 405 and
    /// `Allow`, their path for the 405's log line and metrics. Like the router, a literal segment wins
    /// over a parameter: `/payments/ach` is the create route's path only, not also `/payments/{id}`
    /// with the id `ach`.
    static func routes(forPath path: String) -> [APIRoute] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let matches = all.compactMap { route -> (route: APIRoute, literals: [Bool])? in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: true)
            guard pattern.count == segments.count,
                  zip(pattern, segments).allSatisfy({ $0.first == "{" || $0 == $1 }) else { return nil }
            return (route, pattern.map { $0.first != "{" })
        }
        guard let best = matches.map(\.literals).max(by: { $0.lexicographicallyPrecedes($1) { !$0 && $1 } }) else { return [] }
        return matches.filter { $0.literals == best }.map(\.route)
    }
}
