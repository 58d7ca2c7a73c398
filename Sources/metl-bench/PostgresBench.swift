import Foundation
import Logging
import Payments
import Pipeline
import PostgresNIO
import PostgresStore
import SQLiteStore
import TestSupport

/// `metl-bench postgres URL`: PostgreSQL on loopback (the server `URL` names; `make bench` starts a
/// throwaway one), each figure beside the same job on SQLite in the same run: the 100k cutoff, the
/// 100k return file, and durable POSTs through one and then three `metl serve` processes against
/// the server's raw single-row commit rate.
enum PostgresBench {
    static func run(url: String, payments: Int = 100_000) async throws {
        let server = try PostgresLocation(url: url)
        report("== postgres (\(server.host):\(server.port), synchronous_commit=on; SQLite on the same disk in the same run)")
        try await cutoff(server, payments: payments)
        try await ingest(server, entries: payments)
        try await api(server)
    }

    static func cutoff(_ server: PostgresLocation, payments: Int) async throws {
        let sshd = try SSHServer.start()
        defer { sshd.stop() }
        let sqlite = try TemporaryDatabase()
        let sqliteStore = try sqlite.store()
        try await PipelineBench.seedCutoff(payments, into: sqliteStore)
        let onSQLite = try await PipelineBench.timeCutoff(sqliteStore, archive: sqlite.directory.appendingPathComponent("archive").path,
                                                          server: sshd, label: "cutoff on SQLite")
        try FileManager.default.contentsOfDirectory(atPath: sshd.root).forEach { try FileManager.default.removeItem(atPath: sshd.root + "/" + $0) }
        let postgres = try await PostgresStore.connect(try await TestPostgres.freshDatabase(on: server))
        try await PipelineBench.seedCutoff(payments, into: postgres)
        let onPostgres = try await PipelineBench.timeCutoff(postgres, archive: sqlite.directory.appendingPathComponent("archive-pg").path,
                                                            server: sshd, label: "cutoff on PostgreSQL")
        report(String(format: "cutoff of %d: PostgreSQL ÷ SQLite = %.2f×", payments, onPostgres / onSQLite))
    }

    static func ingest(_ server: PostgresLocation, entries: Int) async throws {
        var seconds: [Double] = []
        for (name, store) in [("SQLite", try TemporaryDatabase().store() as any LedgerStore),
                              ("PostgreSQL", try await PostgresStore.connect(try await TestPostgres.freshDatabase(on: server)))] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (bytes, archive) = try await PipelineBench.submitted(store, in: directory, count: entries, answeredWith: .returns)
            let job = IngestJob(store: store, archive: archive, logger: Logger(label: "bench"))
            let (outcome, elapsed) = try await measure { try await job.ingest(bytes, name: "returns.ach", source: "bench") }
            report(String(format: "return file of %d on %@: %@, %d state changes: %.2f s", entries, name, outcome.status.rawValue, outcome.applied, elapsed))
            seconds.append(elapsed)
        }
        report(String(format: "ingest of %d returns: PostgreSQL ÷ SQLite = %.2f×", entries, seconds[1] / seconds[0]))
    }

    /// Durable POSTs (group commit on, fresh keys, 8 merchants) through one and three `metl serve`.
    static func api(_ server: PostgresLocation, seconds: Int = 10, connections: Int = 64) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            report("api skipped: wrk is not installed (apt-get install wrk)")
            return
        }
        let metl = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("metl")
        guard FileManager.default.isExecutableFile(atPath: metl.path) else {
            report("api skipped: no metl executable beside metl-bench (swift build -c release --product metl)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var rates: [Double] = []
        for count in [1, 3] {
            let location = try await TestPostgres.freshDatabase(on: server)
            let store = try await PostgresStore.connect(location)
            // Several merchants, as on a real API: one merchant's intakes take turns on its row lock.
            var scripts: [String] = []
            for number in 0..<8 {
                let merchant = try await store.addMerchant(name: "bench \(number)", companyID: "1234567890", companyName: "BENCH")
                let script = directory.appendingPathComponent("create-\(count)-\(number).lua").path
                try APIBench.createScript(secret: try await store.createAPIKey(merchantID: merchant.id).secret)
                    .write(toFile: script, atomically: true, encoding: .utf8)
                scripts.append(script)
            }
            let servers = try (0..<count).map { _ in try ServeProcess.start(metl, database: location.description) }
            defer { servers.forEach { $0.stop() } }
            let before = try await store.countsByState().values.reduce(0, +)
            // One wrk per merchant, spread over the servers, all at once.
            let perScript = connections / scripts.count
            let results = try await withThrowingTaskGroup(of: APIBench.WrkResult.self) { [scripts] group in
                for (index, script) in scripts.enumerated() {
                    let port = servers[index % servers.count].port
                    group.addTask {
                        try APIBench.wrk("http://127.0.0.1:\(port)/payments/ach", script: script, seconds: seconds,
                                         connections: perScript, threads: 1)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let stored = try await store.countsByState().values.reduce(0, +) - before
            let rate = results.reduce(0) { $0 + $1.requestsPerSecond }
            report(String(format: "POST /payments/ach through %d metl serve: %8.0f req/s  non-2xx %d  payments stored %d",
                          count, rate, results.reduce(0) { $0 + $1.failures }, stored))
            rates.append(rate)
        }
        let raw = try await rawCommitRates(try await TestPostgres.freshDatabase(on: server), connections: connections)
        report(String(format: "three servers ÷ one = %.2f×; one server ÷ raw = %.2f× (sequential) / %.2f× (%d connections); "
                      + "three ÷ raw = %.2f× / %.2f×", rates[1] / rates[0], rates[0] / raw.sequential, rates[0] / raw.concurrent,
                      connections, rates[1] / raw.sequential, rates[1] / raw.concurrent))
    }

    /// Single-row INSERT commits (the server's default synchronous_commit=on): one connection one after another, then
    /// `connections` at once, whose commits the server can flush together.
    static func rawCommitRates(_ location: PostgresLocation, connections: Int) async throws -> (sequential: Double, concurrent: Double) {
        var configuration = PostgresClient.Configuration(host: location.host, port: location.port, username: location.username,
                                                         password: location.password, database: location.database, tls: .disable)
        configuration.options.maximumConnections = connections
        let client = PostgresClient(configuration: configuration)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        try await client.query("CREATE TABLE raw_commits (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
        let sequentialCount = 2_000
        let (_, sequentialSeconds) = try await measure {
            for index in 0..<sequentialCount { try await client.query("INSERT INTO raw_commits (body) VALUES (\("row \(index)"))") }
        }
        let perConnection = 500
        let (_, concurrentSeconds) = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<connections {
                    group.addTask {
                        for index in 0..<perConnection {
                            try await client.query("INSERT INTO raw_commits (body) VALUES (\("row \(connection).\(index)"))")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let rates = (Double(sequentialCount) / sequentialSeconds, Double(connections * perConnection) / concurrentSeconds)
        report(String(format: "raw single-row commits on that server: %.0f commits/s on one connection, %.0f commits/s on %d",
                      rates.0, rates.1, connections))
        return rates
    }
}
