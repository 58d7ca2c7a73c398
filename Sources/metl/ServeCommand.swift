import API
import ArgumentParser
import Console
import MetlConfiguration
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Payments
import Pipeline
import ServiceLifecycle
import Webhooks

/// `metl serve`: the HTTP API until SIGTERM or SIGINT, then a graceful shutdown (requests in flight finish).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "serve", abstract: "Run the HTTP API (merchant payments, status, health, metrics).",
        discussion: """
            Merchants authenticate with keys from `metl merchants keys create`. See GET /openapi.json. Operators sign in \
            to the console at /console/ (operators from `metl operators add`).
            """)
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
    @Flag(help: "Do not serve the console under /console/ ($METL_CONSOLE=off).") var noConsole = false
    @Option(help: "Sign console sessions out after this long without a request ($METL_SESSION_IDLE; default 30m).") var sessionIdle: String?
    @Option(help: "PEM certificate chain: serve HTTPS ($METL_TLS_CERTIFICATE_FILE; with --tls-key).") var tlsCertificate: String?
    @Option(help: "PEM private key of the certificate ($METL_TLS_KEY_FILE).") var tlsKey: String?
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
                                                      idleTimeout: idleTimeout, maxConnections: maxConnections, console: noConsole ? false : nil,
                                                      sessionIdle: sessionIdle, tlsCertificate: tlsCertificate, tlsKey: tlsKey),
                                           settings: settings, webhooks: webhookSettings, layers: .process)
        var configuration = serve.api
        configuration.build = Build.info
        let (host, port) = (serve.host, serve.port)
        let store = try await settings.openStore()
        let worker = noWebhooks ? nil : WebhookWorker(store: store, settings: webhookSettings,
                                                      logger: Log.make("metl.webhooks", json: false))
        // Alerts go out with the webhooks, and the conditions of time are watched here too.
        let alerting: [any Service] = noWebhooks ? [] : [
            AlertWorker(store: store, channels: try settings.alerts.resolvedChannels(), owner: webhookSettings.workerID,
                        logger: Log.make("metl.alerts", json: false)),
            AlertWatch(alerts: JobAlerts(store: store, routing: settings.alerts.routing, logger: Log.make("metl.watch", json: false)),
                       clock: settings.clock, thresholds: settings.alertThresholds, expected: settings.expectedBankFiles),
        ]
        let metrics = APIMetrics()
        let console = serve.console
            ? try Console(store: store, configuration: try settings.console(serve, store: store, layers: .process,
                                                                            logger: Log.make("metl.cutoff", json: false)),
                          logger: Log.make("metl.console", json: false))
            : nil
        let routes = console.map { [$0.routes(context: APIRequestContext.self)] } ?? []
        let scheme = serve.tls == nil ? "http" : "https"
        let running: @Sendable (any Channel) async -> Void = { channel in
            // Printed for scripts and tests that start the server on port 0.
            FileHandle.standardOutput.write(Data("metl serve: listening on \(host):\(channel.localAddress?.port ?? port)\n".utf8))
            if console != nil {
                FileHandle.standardOutput.write(Data("metl serve: console at \(scheme)://\(host):\(channel.localAddress?.port ?? port)/console/\n".utf8))
            }
        }
        let application = if let tls = serve.tls {
            try APIServer.buildApplication(store: store, configuration: configuration, host: host, port: port, metrics: metrics,
                                           additionalRoutes: routes, tls: try Self.tls(certificate: tls.certificate, key: tls.key),
                                           logger: logger, onServerRunning: running)
        } else {
            APIServer.buildApplication(store: store, configuration: configuration, host: host, port: port, metrics: metrics,
                                       additionalRoutes: routes, logger: logger, onServerRunning: running)
        }
        // The notice goes last: a graceful shutdown stops services in reverse order, so it speaks
        // first, while the server still finishes what is in flight.
        try await Self.runUntilSignalled([application] + (worker.map { [$0] } ?? []) + alerting + [ShutdownNotice(metrics: metrics, logger: logger)],
                                         on: store, logger: logger)
        logger.notice("stopped")
    }

    /// The watcher inside `metl serve`: the alerts of time, every minute until shutdown.
    struct AlertWatch: Service {
        let alerts: JobAlerts
        let clock: @Sendable () -> Date
        let thresholds: JobAlerts.Thresholds
        let expected: [(profile: String, schedule: CutoffSchedule, files: [ExpectedBankFile])]

        func run() async throws {
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await alerts.watch(at: clock(), thresholds: thresholds, expected: expected)
                    try? await Task.sleep(for: .seconds(60))
                }
            }
        }
    }

    /// The server's TLS configuration from PEM files, each refused with its path when it does not read.
    static func tls(certificate: String, key: String) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        } catch {
            throw ValidationError("cannot read the TLS certificate \(certificate) or key \(key): \(error)")
        }
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
