import API
import NACHA
import Webhooks

/// `metl serve`'s flags (nil: not given), each with its `METL_*` variable.
public struct ServeFlags: Sendable {
    public var host: String?
    public var port: Int?
    public var problemTypeBase: String?
    public var idempotencyDocs: String?
    public var maxBodyBytes: Int?
    public var headerTimeout: String?
    public var bodyTimeout: String?
    public var idleTimeout: String?
    public var maxConnections: Int?
    /// False: `--no-console`.
    public var console: Bool?
    public var sessionIdle: String?
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init(host: String? = nil, port: Int? = nil, problemTypeBase: String? = nil, idempotencyDocs: String? = nil, maxBodyBytes: Int? = nil,
                headerTimeout: String? = nil, bodyTimeout: String? = nil, idleTimeout: String? = nil, maxConnections: Int? = nil,
                console: Bool? = nil, sessionIdle: String? = nil, tlsCertificate: String? = nil, tlsKey: String? = nil) {
        self.host = host
        self.port = port
        self.problemTypeBase = problemTypeBase
        self.idempotencyDocs = idempotencyDocs
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.console = console
        self.sessionIdle = sessionIdle
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }
}

/// Where the HTTP API listens and how it behaves: the flags, else their variables, else the
/// defaults; the payment and check rules and the clock from `Settings`, the webhook address policy
/// and secret grace period from the delivery settings.
public struct ServeConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var api: APIConfiguration
    /// Whether `/console/` is served: on unless `--no-console` or `METL_CONSOLE=off`.
    public var console: Bool
    /// Console sessions end after this long without a request.
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// PEM certificate chain and private key: served over TLS when both are named.
    public var tls: (certificate: String, key: String)?

    public init(_ flags: ServeFlags, settings: Settings, webhooks: WebhookSettings, layers: Layers) throws(ConfigurationError) {
        var problems = ProblemList()
        host = layers.value(flags.host, "METL_HOST") ?? "127.0.0.1"
        port = 8080
        if let text = layers.value(flags.port.map(String.init), "METL_PORT") {
            if let port = Int(text), (0...65_535).contains(port) { self.port = port } else { problems.add(.invalidValue, "--port (or $METL_PORT) must be 0 to 65535") }
        }
        api = APIConfiguration(problemTypeBase: layers.value(flags.problemTypeBase, "METL_PROBLEM_TYPE_BASE") ?? APIConfiguration.defaultProblemTypeBase,
                               idempotencyDocumentation: layers.value(flags.idempotencyDocs, "METL_IDEMPOTENCY_DOCS")
                                   ?? APIConfiguration.defaultIdempotencyDocumentation,
                               maximumBodyBytes: 65_536, rules: settings.rules)
        api.approvals = settings.approvalPolicy
        if let bytes = problems.collect({ try layers.positive(flags.maxBodyBytes, "METL_MAX_BODY_BYTES", "--max-body-bytes") }), let bytes {
            api.maximumBodyBytes = bytes
        }
        for (flag, variable, option, setting) in [(flags.headerTimeout, "METL_HEADER_TIMEOUT", "--header-timeout", \APIConfiguration.headerTimeout),
                                                  (flags.bodyTimeout, "METL_BODY_TIMEOUT", "--body-timeout", \.bodyTimeout),
                                                  (flags.idleTimeout, "METL_IDLE_TIMEOUT", "--idle-timeout", \.idleTimeout)] {
            if let timeout = problems.collect({ try layers.duration(flag, variable, option) }), let timeout { api[keyPath: setting] = timeout }
        }
        if let limit = problems.collect({ try layers.positive(flags.maxConnections, "METL_MAX_CONNECTIONS", "--max-connections") }), let limit {
            api.maximumConnections = limit
        }
        console = flags.console ?? true
        if let text = layers.value(nil, "METL_CONSOLE") {
            switch text {
            case "on": break
            case "off": console = false
            default: problems.add(.invalidValue, "$METL_CONSOLE must be on or off, not \(text)")
            }
        }
        if let idle = problems.collect({ try layers.duration(flags.sessionIdle, "METL_SESSION_IDLE", "--session-idle") }), let idle {
            sessionIdle = idle
        }
        switch (layers.value(flags.tlsCertificate, "METL_TLS_CERTIFICATE_FILE"), layers.value(flags.tlsKey, "METL_TLS_KEY_FILE")) {
        case (let certificate?, let key?): tls = (certificate, key)
        case (nil, nil): tls = nil
        default: problems.add(.missingValue, "TLS needs both --tls-certificate and --tls-key (or $METL_TLS_CERTIFICATE_FILE and $METL_TLS_KEY_FILE)")
        }
        try problems.check()
        api.checkRules = settings.checkRules
        api.webhookAddresses = webhooks.addressPolicy
        api.secretGracePeriod = webhooks.secretGracePeriod
        let clock = settings.clock
        api.today = { ACHDate(clock()) }
    }
}
