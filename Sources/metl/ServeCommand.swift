import API
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NACHA
import Payments
import ServiceLifecycle
import Webhooks

/// `metl serve`: the HTTP API until SIGTERM or SIGINT, then a graceful shutdown (requests in flight finish).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "serve", abstract: "Run the HTTP API (merchant payments, status, health, metrics).",
        discussion: "Merchants authenticate with keys from `metl merchants keys create`. See GET /openapi.json.")
    @Option(help: "Address to listen on ($METL_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port ($METL_PORT; default 8080; 0 picks a free port).") var port: Int?
    @Option(help: "Problem type URI prefix ($METL_PROBLEM_TYPE_BASE; default \(APIConfiguration.defaultProblemTypeBase)).")
    var problemTypeBase: String?
    @Option(help: "Page linked from idempotency conflicts ($METL_IDEMPOTENCY_DOCS).") var idempotencyDocs: String?
    @Option(help: "Largest request body in bytes ($METL_MAX_BODY_BYTES; default 65536).") var maxBodyBytes: Int?
    @Option(help: "Time for a request head after its first bytes ($METL_HEADER_TIMEOUT; default 10s).") var headerTimeout: String?
    @Option(help: "Time for a request body after its head ($METL_BODY_TIMEOUT; default 30s).") var bodyTimeout: String?
    @Option(help: "Close a connection idle this long ($METL_IDLE_TIMEOUT; default 60s).") var idleTimeout: String?
    @Option(help: "Connections served at once ($METL_MAX_CONNECTIONS; default 1024).") var maxConnections: Int?
    @Flag(help: "Do not deliver webhooks from this process (run `metl webhooks work` instead).") var noWebhooks = false
    @OptionGroup var webhook: WebhookOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let (store, settings) = try await store.openStore()
        var logger = Log.make("metl.api", json: false)
        // One access line per request is the server's normal output.
        if ProcessInfo.processInfo.environment["METL_LOG_LEVEL"] == nil { logger.logLevel = .info }
        let host = value(host, "METL_HOST") ?? "127.0.0.1"
        guard let port = port ?? Int(value(nil, "METL_PORT") ?? "8080"), (0...65_535).contains(port) else {
            throw ConfigurationError(message: "--port (or $METL_PORT) must be 0 to 65535")
        }
        guard let maxBody = maxBodyBytes ?? Int(value(nil, "METL_MAX_BODY_BYTES") ?? "65536"), maxBody > 0 else {
            throw ConfigurationError(message: "--max-body-bytes (or $METL_MAX_BODY_BYTES) must be a positive integer")
        }
        let webhookSettings = try webhook.settings()
        var configuration = APIConfiguration(
            problemTypeBase: value(problemTypeBase, "METL_PROBLEM_TYPE_BASE") ?? APIConfiguration.defaultProblemTypeBase,
            idempotencyDocumentation: value(idempotencyDocs, "METL_IDEMPOTENCY_DOCS") ?? APIConfiguration.defaultIdempotencyDocumentation,
            maximumBodyBytes: maxBody, rules: settings.rules)
        configuration.checkRules = settings.checkRules
        configuration.build = Build.info
        configuration.webhookAddresses = webhookSettings.addressPolicy
        configuration.secretGracePeriod = webhookSettings.secretGracePeriod
        for (flag, variable, keyPath) in [(headerTimeout, "METL_HEADER_TIMEOUT", \APIConfiguration.headerTimeout),
                                          (bodyTimeout, "METL_BODY_TIMEOUT", \APIConfiguration.bodyTimeout),
                                          (idleTimeout, "METL_IDLE_TIMEOUT", \APIConfiguration.idleTimeout)] {
            guard let text = value(flag, variable) else { continue }
            guard let timeout = Duration(parsing: text), timeout > .zero else {
                throw ConfigurationError(message: "$\(variable) (or its flag) must be a duration such as 10s or 2m")
            }
            configuration[keyPath: keyPath] = timeout
        }
        if let text = value(maxConnections.map(String.init), "METL_MAX_CONNECTIONS") {
            guard let limit = Int(text), limit > 0 else { throw ConfigurationError(message: "--max-connections must be positive") }
            configuration.maximumConnections = limit
        }
        let clock = settings.clock
        configuration.today = { ACHDate(clock()) }
        let worker = noWebhooks ? nil : WebhookWorker(store: store, settings: webhookSettings,
                                                      logger: Log.make("metl.webhooks", json: false))
        let metrics = APIMetrics()
        let application = APIServer.buildApplication(store: store, configuration: configuration, host: host, port: port,
                                                      metrics: metrics, logger: logger,
                                                onServerRunning: { channel in
            // Printed for scripts and tests that start the server on port 0.
            FileHandle.standardOutput.write(Data("metl serve: listening on \(host):\(channel.localAddress?.port ?? port)\n".utf8))
        })
        // The notice goes last: a graceful shutdown stops services in reverse order, so it speaks
        // first, while the server still finishes what is in flight.
        try await Self.runUntilSignalled([application] + (worker.map { [$0] } ?? []) + [ShutdownNotice(metrics: metrics, logger: logger)],
                                         on: store, logger: logger)
        logger.notice("stopped")
    }

    /// Runs services until SIGTERM or SIGINT, then shuts them down gracefully (requests in flight
    /// finish). A store that is a service itself (PostgreSQL's pool) starts first and stops last.
    static func runUntilSignalled(_ services: [any Service], on store: any LedgerStore, logger: Logger) async throws {
        let all = ((store as? any Service).map { [$0] } ?? []) + services
        let group = ServiceGroup(configuration: .init(services: all.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
