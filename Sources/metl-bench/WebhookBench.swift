import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Payments
import PostgresStore
import SQLiteStore
import Synchronization
import TestSupport
import Webhooks
import WebhookSignature

/// `metl-bench webhooks`: 10,000 queued events delivered by one worker (default settings, its sliding
/// window of 256 attempts, 32 per endpoint) to a local receiver that answers 200 at once; deliveries/s and commit-to-delivery latency. Then a trickle
/// (events committed one by one while the worker runs) for the latency of a quiet system.
enum WebhookBench {
    final class Arrivals: Sendable {
        let times = Mutex<[String: Date]>([:])
    }

    static func run() async throws {
        report("== webhooks (one worker, default concurrency, receiver on 127.0.0.1 answering 200)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("webhooks.sqlite").path)
        // No funds: every credit fails its funds check at intake, which is one payment.failed event each.
        let merchant = try await store.addMerchant(name: "bench", companyID: "1234567890", companyName: "BENCH")

        let arrivals = Arrivals()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            if let id = request.headers[HTTPField.Name("webhook-id")!] {
                arrivals.times.withLock { $0[id] = Date() }
            }
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok)
        }
        let server = await LoopbackServer.start(router)
        _ = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:\(server.port)/hook", eventTypes: [],
                                               secret: StandardWebhooks.makeSecret(), idempotencyKey: nil)

        let count = 10_000
        let intakes = try (0..<count).map { _ in try Requests.intake(merchant) }
        _ = try await store.intake(intakes)
        var settings = WebhookSettings()
        settings.addressPolicy.allowPrivate = true
        settings.pollInterval = .milliseconds(20)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let (summary, seconds) = try await measure {
            try await WebhookWorker(store: store, settings: settings, logger: logger).drain(timeout: .seconds(1))
        }
        let queued = try await latencies(store, arrivals)
        report(String(format: "%d queued events: %d delivered in %.2f s = %.0f deliveries/s (goal ≥ 4,000/s); commit→delivery p50 %.0f ms, p99 %.0f ms",
                      count, summary.delivered, seconds, Double(summary.delivered) / seconds, queued.p50, queued.p99))

        // Trickle: 300 events committed one at a time, 5 ms apart, while a worker runs.
        arrivals.times.withLock { $0 = [:] }
        let worker = WebhookWorker(store: store, settings: settings, logger: logger)
        let running = Task { try await worker.run() }
        for _ in 0..<300 {
            _ = try await store.intake([try Requests.intake(merchant)])
            try await Task.sleep(for: .milliseconds(5))
        }
        while arrivals.times.withLock({ $0.count }) < 300 { try await Task.sleep(for: .milliseconds(50)) }
        running.cancel()
        _ = try? await running.value
        let trickle = try await latencies(store, arrivals)
        report(String(format: "trickle of 300 events (poll interval 20 ms): commit→delivery p50 %.0f ms, p99 %.0f ms",
                      trickle.p50, trickle.p99))
        await server.stop()
    }

    /// Percentiles of receive time minus the event's commit time, over the events that arrived.
    static func latencies(_ store: SQLiteStore, _ arrivals: Arrivals) async throws -> (p50: Double, p99: Double) {
        let times = arrivals.times.withLock { $0 }
        let created = try await store.webhookDeliveries(status: nil, limit: 1_000_000)
        var samples: [Double] = []
        for delivery in created {
            if let arrived = times[delivery.eventID] { samples.append(arrived.timeIntervalSince(delivery.createdAt) * 1000) }
        }
        samples.sort()
        guard !samples.isEmpty else { return (0, 0) }
        return (samples[samples.count / 2], samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))])
    }
}
