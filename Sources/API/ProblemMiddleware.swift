import HTTPTypes
import Hummingbird
import Logging
import Payments

/// Turns every error into an `application/problem+json` answer, so no error escapes as a bare status,
/// a stack trace or a message with request data in it. Unknown paths on a known resource get 405.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let configuration: APIConfiguration

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = problem(for: error, request: request, context: context)
            var headers = problem.headers
            if problem.type == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
            let body = problem.body(typeBase: configuration.problemTypeBase, path: request.uri.path, requestID: context.requestID)
            return JSONBody.response(problem.type.status, body, contentType: "application/problem+json", headers: headers)
        }
    }

    private func problem(for error: any Error, request: Request, context: APIRequestContext) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as PaymentError:
            return Problem(error)
        case let error as StoreError:
            if error.code != .conflict { context.logger.error("storage failure", metadata: ["error": "\(error)"]) }
            return Problem(error)
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound:
                // A path the API routes with other methods is a 405 that says which.
                let allowed = APIRoute.routes(forPath: request.uri.path).map(\.method)
                guard !allowed.isEmpty else { return Problem(.notFound, "no such resource") }
                return Problem(.methodNotAllowed, "\(request.method.rawValue) is not allowed on this resource",
                               headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
            case .contentTooLarge: return Problem(.payloadTooLarge, "the request body exceeds \(configuration.maximumBodyBytes) bytes")
            case .unsupportedMediaType: return Problem(.unsupportedMediaType, "send the body as application/json")
            default:
                context.logger.error("unexpected HTTP error", metadata: ["status": .stringConvertible(error.status.code)])
                return Problem(.internalError, "the request could not be completed")
            }
        default:
            // The type only: an unknown error's text could carry request data.
            context.logger.error("unexpected error", metadata: ["type": .string(String(reflecting: type(of: error)))])
            return Problem(.internalError, "the request could not be completed")
        }
    }
}
