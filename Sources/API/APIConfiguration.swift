/// The merchants' HTTP front door: routes, idempotency protocol, API-key authentication, RFC 9457
/// problem responses, request ids, metrics and the OpenAPI document that describes all of it.
/// Business rules live in `Payments`; this module translates HTTP to them and back.
import Foundation
import NACHA
import Payments
import Webhooks

/// What an operator can set about the API.
public struct APIConfiguration: Sendable {
    /// Prefix of every problem `type` URI; the problem's code is appended.
    public var problemTypeBase: String
    /// The page a 409 idempotency conflict links to (`Link: <…>; rel="describedby"`).
    public var idempotencyDocumentation: String
    /// Request bodies above this many bytes are refused with 413.
    public var maximumBodyBytes: Int
    public var rules: PaymentRules
    public var checkRules = CheckRules()
    /// Which payments wait for named approvers before they are validated.
    public var approvals = ApprovalPolicy.none
    /// Page size of `GET /payments` when `limit` is absent, and the largest `limit` accepted.
    public var defaultPageSize = 50
    public var maximumPageSize = 500
    /// Which webhook URLs merchants may register (the worker applies the same policy when delivering).
    public var webhookAddresses = AddressPolicy()
    /// At most this many payment requests share one durable commit (group commit); 1 turns it off.
    public var maximumCommitBatch = 512
    /// How long a rotated-out webhook secret keeps signing.
    public var secretGracePeriod: Duration = .seconds(86_400)
    /// A request head must arrive within this time of its first bytes (slow-header clients).
    public var headerTimeout: Duration = .seconds(10)
    /// A request body must arrive within this time of its head (slow-body clients).
    public var bodyTimeout: Duration = .seconds(30)
    /// A connection with no request for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections served at once; more wait in the listen backlog until one closes.
    public var maximumConnections = 1_024
    /// The build serving, for `/healthz` and `metl_build_info`.
    public var build = BuildInfo.unknown
    /// The bank's calendar day effective dates are measured from.
    public var today: @Sendable () -> ACHDate = { .today() }

    /// Each type names its entry in the OpenAPI document this server serves (`x-problem-types`): a
    /// reference that resolves against the API's own address, so it always names metl's documentation.
    public static let defaultProblemTypeBase = "/openapi.json#/x-problem-types/"
    /// The served document's description of the `Idempotency-Key` protocol.
    public static let defaultIdempotencyDocumentation = "/openapi.json#/components/parameters/IdempotencyKey"

    public init(problemTypeBase: String = APIConfiguration.defaultProblemTypeBase,
                idempotencyDocumentation: String = APIConfiguration.defaultIdempotencyDocumentation,
                maximumBodyBytes: Int = 64 * 1024, rules: PaymentRules = PaymentRules()) {
        self.problemTypeBase = problemTypeBase.hasSuffix("/") ? problemTypeBase : problemTypeBase + "/"
        self.idempotencyDocumentation = idempotencyDocumentation
        self.maximumBodyBytes = maximumBodyBytes
        self.rules = rules
    }
}

/// The storage the API needs: payments, checks, API keys and webhooks.
public typealias APIStore = PaymentStore & CheckStore & APIKeyStore & WebhookStore & OutboundFileStore & InboundFileStore & AlertStore
