import API
import ArgumentParser
import MetlConfiguration
import Foundation
import Hummingbird
import Logging
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
        let settings = try store.settings()
        var logger = Log.make("metl.api", json: false)
        // One access line per request is the server's normal output.
        if ProcessInfo.processInfo.environment["METL_LOG_LEVEL"] == nil { logger.logLevel = .info }
        let webhookSettings = try webhook.settings()
        let serve = try ServeConfiguration(ServeFlags(host: host, port: port, problemTypeBase: problemTypeBase, idempotencyDocs: idempotencyDocs,
                                                      maxBodyBytes: maxBodyBytes, headerTimeout: headerTimeout, bodyTimeout: bodyTimeout,
                                                      idleTimeout: idleTimeout, maxConnections: maxConnections),
                                           settings: settings, webhooks: webhookSettings, layers: .process)
        var configuration = serve.api
        configuration.build = Build.info
        let (host, port) = (serve.host, serve.port)
        let store = try await settings.openStore()
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
