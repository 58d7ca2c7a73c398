import Foundation
import HTTPTypes
import Hummingbird
import Payments

/// The answer to a create under the Idempotency-Key protocol, for payments and checks alike: 201
/// for a new resource; for a key seen before, 409 pointing at the resource while it is not final,
/// and the first answer replayed (`Idempotent-Replayed: true`) once it is.
struct IdempotentCreation {
    var created: Bool
    var id: String
    var state: PaymentState
    /// What the resource is called in the 409's detail ("payment", "check").
    var noun: String
    var location: String
    var body: Data

    func response(key: String, configuration: APIConfiguration) throws -> Response {
        var headers: HTTPFields = [.location: location]
        if created { return JSONBody.response(.created, body, headers: headers) }
        guard state.isTerminal else {
            headers[.link] = "<\(configuration.idempotencyDocumentation)>; rel=\"describedby\""
            throw Problem(.idempotencyConflict, "the \(noun) for this key is \(state.rawValue); check GET \(location) instead of retrying",
                          instance: key, paymentID: id, headers: headers)
        }
        headers[.idempotentReplayed] = "true"
        return JSONBody.response(.created, body, headers: headers)
    }
}
