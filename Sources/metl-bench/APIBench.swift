import API
import Foundation
import Payments
import SQLiteStore
import TestSupport

/// `metl-bench api`: wrk on loopback against the API in this process (release build): durable POSTs
/// with fresh keys, GET of one payment, and the replay path; then the raw commit rate of the same disk.
enum APIBench {
    static let body = #"{"amount":1000,"direction":"debit","sec_code":"PPD","description":"BENCH","effective_date":"\#(Requests.effectiveDate)","counterparty":{"name":"JANE DOE","routing_number":"121042882","account_number":"12345678","account_type":"checking"}}"#

    struct WrkResult {
        var requestsPerSecond: Double
        var p50: String
        var p99: String
        var failures: Int
        /// The slowest request.
        var maximum: String = "?"
    }

    static func run(seconds: Int = 10, connections: Int = 64) async throws {
        report("== api (wrk -t2 -c\(connections) -d\(seconds)s on 127.0.0.1, synchronous=FULL)")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            report("skipped: wrk is not installed (apt-get install wrk)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("api.sqlite").path)
        let merchant = try await store.addMerchant(name: "bench", companyID: "1234567890", companyName: "BENCH")
        let secret = try await store.createAPIKey(merchantID: merchant.id).secret

        let server = await LoopbackServer.start(making: { APIServer.buildApplication(store: store, logger: LoopbackServer.quiet, onServerRunning: $0) })
        let base = "http://127.0.0.1:\(server.port)"

        // A payment in a final state, for the replay path.
        let replayKey = UUID().uuidString.lowercased()
        let posted = try await post(base: base, secret: secret, key: replayKey)
        _ = try await store.transition(paymentID: posted, steps: [PaymentState.submittedToCore, .processing, .completed].map {
            TransitionStep(to: $0, actor: .operator, reasonCode: "bench", reasonText: "bench")
        })

        let scripts = directory.appendingPathComponent("wrk")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        let headers = Self.headers(secret: secret)
        try Self.createScript(secret: secret).write(to: scripts.appendingPathComponent("create.lua"), atomically: true, encoding: .utf8)
        try """
            \(headers)
            wrk.method = "POST"
            wrk.body = '\(body)'
            wrk.headers["Idempotency-Key"] = "\(replayKey)"
            """.write(to: scripts.appendingPathComponent("replay.lua"), atomically: true, encoding: .utf8)
        try """
            \(headers)
            """.write(to: scripts.appendingPathComponent("get.lua"), atomically: true, encoding: .utf8)

        // The same POSTs with group commit off: one durable commit per request.
        var unbatched = APIConfiguration()
        unbatched.maximumCommitBatch = 1
        let single = await LoopbackServer.start(making: {
            APIServer.buildApplication(store: store, configuration: unbatched, logger: LoopbackServer.quiet, onServerRunning: $0)
        })
        let perRequest = try wrk("http://127.0.0.1:\(single.port)/payments/ach", script: scripts.appendingPathComponent("create.lua").path,
                                 seconds: seconds, connections: connections)
        await single.stop()
        let before = try await store.countsByState().values.reduce(0, +)
        let create = try wrk(base + "/payments/ach", script: scripts.appendingPathComponent("create.lua").path,
                             seconds: seconds, connections: connections)
        let created = try await store.countsByState().values.reduce(0, +) - before
        let get = try wrk(base + "/payments/\(posted)", script: scripts.appendingPathComponent("get.lua").path,
                          seconds: seconds, connections: connections)
        let replay = try wrk(base + "/payments/ach", script: scripts.appendingPathComponent("replay.lua").path,
                             seconds: seconds, connections: connections)
        let health = try wrk(base + "/healthz", script: scripts.appendingPathComponent("get.lua").path,
                             seconds: seconds, connections: connections)
        await server.stop()

        report(String(format: "POST /payments/ach, fresh keys (durable): %8.0f req/s  p50 %@  p99 %@  non-2xx %d  payments stored %d",
                      create.requestsPerSecond, create.p50, create.p99, create.failures, created))
        report(String(format: "POST, group commit off (1 per commit):   %8.0f req/s  p50 %@  p99 %@  non-2xx %d",
                      perRequest.requestsPerSecond, perRequest.p50, perRequest.p99, perRequest.failures))
        report(String(format: "GET /payments/{id}:                       %8.0f req/s  p50 %@  p99 %@  non-2xx %d",
                      get.requestsPerSecond, get.p50, get.p99, get.failures))
        report(String(format: "POST replay (final payment):              %8.0f req/s  p50 %@  p99 %@  non-2xx %d",
                      replay.requestsPerSecond, replay.p50, replay.p99, replay.failures))
        report(String(format: "GET /healthz (middleware, no database):   %8.0f req/s  p50 %@  p99 %@  non-2xx %d",
                      health.requestsPerSecond, health.p50, health.p99, health.failures))
        let raw = try await ImportBench.rawCommitRate()
        report(String(format: "durable POSTs/s ÷ raw commits/s = %.2f× (goal ≥ 1×)", create.requestsPerSecond / raw))
        report(String(format: "GET /payments/{id} ÷ GET /healthz = %.0f %% (goal ≥ 50 %%)", get.requestsPerSecond / health.requestsPerSecond * 100))
    }

    static func headers(secret: String) -> String {
        """
        wrk.headers["Authorization"] = "Bearer \(secret)"
        wrk.headers["Content-Type"] = "application/json"
        """
    }

    /// wrk's Lua for POSTs of the bench body, each with a fresh UUID v4 key: a per-thread prefix and a counter.
    static func createScript(secret: String) -> String {
        """
        \(headers(secret: secret))
        wrk.method = "POST"
        wrk.body = '\(body)'
        local counter = 0
        local threads = 0
        -- Distinct per thread and per run (runs start seconds apart), so keys never repeat.
        function setup(thread)
          threads = threads + 1
          thread:set("prefix", (os.time() % 0x3ffffff) * 4 + threads)
        end
        function request()
          counter = counter + 1
          -- wrk.format's headers replace wrk.headers: copy them, then add the key.
          local headers = {}
          for name, value in pairs(wrk.headers) do headers[name] = value end
          headers["Idempotency-Key"] = string.format("%08x-0000-4000-8000-%012x", prefix, counter)
          return wrk.format(nil, "/payments/ach", headers)
        end
        """
    }

    static func post(base: String, secret: String, key: String) async throws -> String {
        let output = try ExternalCommand.run("/usr/bin/curl", ["-s", "-X", "POST", base + "/payments/ach", "-H", "Authorization: Bearer \(secret)",
                                                    "-H", "Idempotency-Key: \(key)", "-H", "Content-Type: application/json",
                                                    "-d", body])
        guard let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], let id = json["id"] as? String else {
            throw BenchError(message: "could not create the replay payment: \(output)")
        }
        return id
    }

    static func wrk(_ url: String, script: String, seconds: Int, connections: Int, threads: Int = 2) throws -> WrkResult {
        // wrk leaves requests slower than its timeout (2 s by default) out of the latency figures and
        // counts them as socket errors: wait 30 s, and count those errors as failures.
        let output = try ExternalCommand.run("/usr/bin/wrk", ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "30s", "--latency",
                                                        "-s", script, url])
        func field(after label: String) -> String? {
            output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        guard let rate = field(after: "Requests/sec:").flatMap(Double.init) else {
            throw BenchError(message: "wrk output not understood:\n\(output)")
        }
        // "Latency   9.50ms    2.11ms  148.30ms   90.00%": average, deviation, maximum.
        let latency = field(after: "Latency")?.split(separator: " ").map(String.init) ?? []
        return WrkResult(requestsPerSecond: rate, p50: field(after: "50%") ?? "?", p99: field(after: "99%") ?? "?",
                         failures: (field(after: "Non-2xx or 3xx responses:").flatMap(Int.init) ?? 0) + socketErrors(output),
                         maximum: latency.count > 2 ? latency[2] : "?")
    }
}

/// wrk's "Socket errors: connect 0, read 0, write 0, timeout 12", summed.
func socketErrors(_ output: String) -> Int {
    guard let line = output.split(separator: "\n").first(where: { $0.contains("Socket errors:") }) else { return 0 }
    return line.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Int($0) }.reduce(0, +)
}

struct BenchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
