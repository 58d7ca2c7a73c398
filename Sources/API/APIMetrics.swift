import Payments
import Prometheus
import Synchronization

/// The metrics `GET /metrics` serves, each with its help text, on a Prometheus registry owned by this
/// server (not the process-wide bootstrap, so several servers in one test process stay apart).
public final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                       .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
    private let inFlight = Atomic<Int>(0)

    /// Requests started and not yet answered: what a shutdown waits for.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    public init() {}

    /// A metric of this registry with its `# HELP` text: `promtool check metrics` asks every metric for one.
    private func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: Int) {
        registry.makeGauge(descriptor: named(name, help), labels: labels).set(Int64(value))
    }

    func requestStarted() {
        gauge("metl_http_requests_in_flight", "Requests started and not yet answered.", [], inFlight.add(1, ordering: .relaxed).newValue)
    }

    /// Every started request ends here once, answered or not.
    func requestEnded() {
        gauge("metl_http_requests_in_flight", "Requests started and not yet answered.", [], inFlight.subtract(1, ordering: .relaxed).newValue)
    }

    func requestFinished(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: named("metl_http_requests_total", "Requests answered, by method, route and status."),
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: named("metl_http_request_duration_seconds", "Time to answer a request, by method and route."),
                                       labels: [("method", method), ("route", route)], buckets: buckets).record(duration)
    }

    /// `metl_build_info{version, commit} 1`: which build this server is, joinable onto any other series.
    func build(_ build: BuildInfo) {
        gauge("metl_build_info", "The build serving: its version and commit.", [("version", build.version), ("commit", build.commit)], 1)
    }

    /// A state change this process made (intake: P_CREATED → P_VALIDATED or P_FAILED).
    func transition(to state: PaymentState) {
        registry.makeCounter(descriptor: named("metl_payment_transitions_total", "Payment state changes this server made, by the state reached."),
                             labels: [("to", state.rawValue)]).increment()
    }

    /// Payments by current state, read from the database at scrape time (other processes change them too).
    func setPayments(_ counts: [PaymentState: Int]) {
        for state in PaymentState.allCases {
            gauge("metl_payments", "Payments by current state.", [("state", state.rawValue)], counts[state] ?? 0)
        }
    }

    /// What waits: the webhook outbox, files not at the bank, open exceptions, quarantined bank files, open alerts.
    func setBacklog(_ backlog: Backlog) {
        gauge("metl_webhook_deliveries_pending", "Webhook deliveries waiting to be sent or retried.", [], backlog.webhooksPending)
        gauge("metl_webhook_dead_letters", "Webhook deliveries given up on (dead letters).", [], backlog.webhooksDeadLettered)
        for (status, count) in backlog.filesByStatus.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            gauge("metl_outbound_files_unsent", "Outbound files not at the bank, by status.", [("status", status.rawValue)], count)
        }
        gauge("metl_check_exceptions_open", "Positive Pay exceptions waiting for a decision.", [], backlog.openExceptions)
        gauge("metl_bank_files_quarantined", "Bank files quarantined and not dismissed.", [], backlog.quarantinedBankFiles)
        for (severity, count) in backlog.openAlertsBySeverity.sorted(by: { $0.key < $1.key }) {
            gauge("metl_alerts_open", "Open alerts, by severity.", [("severity", severity.rawValue)], count)
        }
    }

    func render() -> [UInt8] { registry.emitToBuffer() }
}
