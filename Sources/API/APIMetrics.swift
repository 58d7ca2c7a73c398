import Metrics
import Payments
import Prometheus
import Synchronization

/// The metrics `GET /metrics` serves, through swift-metrics onto a Prometheus registry owned by this
/// server (not the process-wide bootstrap, so several servers in one test process stay apart).
public final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let inFlight = Atomic<Int>(0)

    /// Requests started and not yet answered: what a shutdown waits for.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                                   .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                   .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        self.factory = factory
    }

    func requestStarted() {
        let now = inFlight.add(1, ordering: .relaxed).newValue
        Gauge(label: "metl_http_requests_in_flight", factory: factory).record(now)
    }

    /// Every started request ends here once, answered or not.
    func requestEnded() {
        let now = inFlight.subtract(1, ordering: .relaxed).newValue
        Gauge(label: "metl_http_requests_in_flight", factory: factory).record(now)
    }

    func requestFinished(method: String, route: String, status: Int, duration: Duration) {
        Counter(label: "metl_http_requests_total",
                dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory).increment()
        Metrics.Timer(label: "metl_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
                      factory: factory).record(duration: duration)
    }

    /// `metl_build_info{version, commit} 1`: which build this server is, joinable onto any other series.
    func build(_ build: BuildInfo) {
        Gauge(label: "metl_build_info", dimensions: [("version", build.version), ("commit", build.commit)], factory: factory).record(1)
    }

    /// A state change this process made (intake: P_CREATED → P_VALIDATED or P_FAILED).
    func transition(to state: PaymentState) {
        Counter(label: "metl_payment_transitions_total", dimensions: [("to", state.rawValue)], factory: factory).increment()
    }

    /// Payments by current state, read from the database at scrape time (other processes change them too).
    func setPayments(_ counts: [PaymentState: Int]) {
        for state in PaymentState.allCases {
            Gauge(label: "metl_payments", dimensions: [("state", state.rawValue)], factory: factory)
                .record(counts[state] ?? 0)
        }
    }

    func render() -> [UInt8] { registry.emitToBuffer() }
}
