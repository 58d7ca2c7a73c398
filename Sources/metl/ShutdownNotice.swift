import API
import Logging
import ServiceLifecycle

/// Says when `metl serve` begins to stop (SIGTERM, SIGINT) and how many requests it is finishing,
/// so an operator watching a deploy sees the shutdown start; `stopped` follows when it is done.
struct ShutdownNotice: Service {
    let metrics: APIMetrics
    let logger: Logger

    func run() async throws {
        // Cancelled rather than shut down gracefully: the group is stopping without grace; nothing to say.
        do { try await gracefulShutdown() } catch { return }
        logger.notice("stopping", metadata: ["requests_in_flight": .stringConvertible(metrics.requestsInFlight)])
    }
}
