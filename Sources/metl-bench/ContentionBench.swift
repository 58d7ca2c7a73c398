import API
import Foundation
import Payments
import SQLiteStore
import Synchronization
import TestSupport

/// `metl-bench contention`: 32 API clients posting payments (wrk, fresh keys) while another process
/// works on the same database, as an operator's jobs run beside `metl serve`: first a 100,000-row
/// `metl payments import`, then `metl ingest` of a 100,000-entry return file. The goal (issue 17 #9):
/// 0 non-2xx and p99 ≤ 2 s during each.
enum ContentionBench {
    static func run(rows: Int = Int(ProcessInfo.processInfo.environment["METL_BENCH_ROWS"] ?? "") ?? 100_000,
                    connections: Int = 32) async throws {
        report("== contention: API POSTs (wrk -c\(connections)) during a \(rows)-row import, then a \(rows)-entry ingest, in another process")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            report("skipped: wrk is not installed (apt-get install wrk)")
            return
        }
        let metl = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("metl").path
        guard FileManager.default.isExecutableFile(atPath: metl) else {
            report("skipped: no metl executable beside metl-bench (swift build -c release --product metl)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contention.sqlite").path
        let store = try SQLiteStore(path: database)
        let merchant = try await store.addMerchant(name: "api", companyID: "1234567890", companyName: "API")
        _ = try await store.fund(merchantID: merchant.id, amount: 9_000_000_000, actor: .operator, reference: "bench")
        let importer = try await store.addMerchant(name: "importer", companyID: "1234567891", companyName: "IMPORTER")
        _ = try await store.fund(merchantID: importer.id, amount: 900_000_000_000, actor: .operator, reference: "bench")
        let secret = try await store.createAPIKey(merchantID: merchant.id).secret
        let csv = directory.appendingPathComponent("import.csv")
        try ImportCSV.text(count: rows).write(to: csv, atomically: true, encoding: .utf8)
        // Submitted before the API starts, so the return file matches payments the API's load does not touch.
        let (returns, _) = try await PipelineBench.submitted(store, in: directory, count: rows, answeredWith: .returns)
        let returnFile = directory.appendingPathComponent("returns.ach")
        try Data(returns).write(to: returnFile)
        let script = directory.appendingPathComponent("create.lua")
        try APIBench.createScript(secret: secret).write(to: script, atomically: true, encoding: .utf8)

        let server = await LoopbackServer.start(making: { APIServer.buildApplication(store: store, logger: LoopbackServer.quiet, onServerRunning: $0) })
        let url = "http://127.0.0.1:\(server.port)/payments/ach"
        // Calm first: the same load with nothing else writing.
        let calm = try APIBench.wrk(url, script: script.path, seconds: 10, connections: connections)
        report(String(format: "calm:          %6.0f req/s  p50 %@  p99 %@  max %@  non-2xx %d", calm.requestsPerSecond, calm.p50,
                      calm.p99, calm.maximum, calm.failures))
        for (label, arguments) in [
            ("import", ["payments", "import", csv.path, "--merchant", "importer", "--database", database]),
            ("ingest", ["ingest", returnFile.path, "--database", database, "--archive-dir", directory.appendingPathComponent("inbound").path]),
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: metl)
            process.arguments = arguments
            process.environment = ["METL_LOG_LEVEL": "error"]
            process.standardOutput = FileHandle.nullDevice
            let started = ContinuousClock.now
            let finished = Mutex<Double?>(nil)
            process.terminationHandler = { _ in finished.withLock { $0 = (ContinuousClock.now - started).seconds } }
            try process.run()
            let busy = try APIBench.wrk(url, script: script.path, seconds: 30, connections: connections)
            process.waitUntilExit()
            let jobSeconds = finished.withLock { $0 } ?? (ContinuousClock.now - started).seconds
            report(String(format: "during %@: %6.0f req/s  p50 %@  p99 %@  max %@  non-2xx %d  (30 s of load; the %@ exited %d after %.1f s)",
                          label, busy.requestsPerSecond, busy.p50, busy.p99, busy.maximum, busy.failures, label,
                          process.terminationStatus, jobSeconds))
        }
        await server.stop()
    }
}
