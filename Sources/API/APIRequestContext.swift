import Hummingbird
import Payments

/// Per-request state: the request id every log line carries, and once authenticated, the merchant
/// and (on POST, PUT, PATCH) the idempotency key.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public var merchant: Merchant?
    public var idempotencyKey: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated merchant; the authentication middleware guarantees it on protected routes.
    func authenticatedMerchant() throws(Problem) -> Merchant {
        guard let merchant else { throw Problem(.unauthorized, "an API key is required") }
        return merchant
    }
}
