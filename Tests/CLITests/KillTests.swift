import Foundation
import Payments
import SQLiteStore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The cutoff killed with SIGKILL at arbitrary moments, again and again, then run to the end:
/// exactly one remote file per recorded file, each the archived bytes, every payment submitted once.
@Suite(.serialized) struct KillTests {
    @Test func cutoffSurvivesSIGKILLAnywhere() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        try await Self.killedCutoffs(server: server)
    }

    /// Nine cutoffs of 300 new payments each, all but the first killed at a random moment, then one
    /// run to the end; `environment` adds settings (sealing). Returns the files, all at the bank.
    @discardableResult
    static func killedCutoffs(server: SSHServer, environment extra: [String: String] = [:]) async throws -> [OutboundFile] {
        let directory = server.directory.appendingPathComponent("metl")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("metl.sqlite").path
        let environment = [
            "METL_DATABASE": database,
            "METL_DESTINATION": "sftp://\(server.username)@127.0.0.1:\(server.port)\(server.root)",
            "METL_IDENTITY_FILE": server.clientKeyPath, "METL_KNOWN_HOSTS": server.knownHostsPath,
            "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
            "METL_ORIGIN_NAME": "METL TEST", "METL_DESTINATION_NAME": "FED", "METL_MAX_FILE_ENTRIES": "400",
        ].merging(extra) { $1 }
        let store = try SQLiteStore(path: database)
        let merchant = try await store.fundedMerchant(9_000_000_000)
        var killed = 0
        // Kill moments are drawn from the span of the quickest uninterrupted run (round 0, and any
        // later run that beats its kill), so they land inside a run however fast this machine does it.
        var span = Duration.milliseconds(600)
        for round in 0..<9 {
            _ = try await store.intake((0..<300).map { index in
                try Requests.intake(merchant, Requests.credit(amount: Int64(1_000 + round * 1_000 + index)))
            })
            // Through posix_spawn: Foundation's `Process.run()` crashes the test process now and then (see `Spawn`).
            let process = try Spawn.start(CLI.binary.path, ["cutoff"],
                                          environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
            switch await Self.kill(process, after: round == 0 ? nil : span * Double.random(in: 0.05...0.9)) {
            case .killed: killed += 1
            case .ended(let took): span = round == 0 ? took : min(span, took)
            }
        }
        let final = try await CLI.detached(["cutoff"], environment: environment)
        #expect(final.status == 0, "\(final.stderr)")

        let files = try await store.outboundFiles(statuses: nil)
        #expect(files.allSatisfy { $0.status == .uploaded })
        let remote = try FileManager.default.contentsOfDirectory(atPath: server.root)
        #expect(remote.sorted() == files.map(\.name).sorted(), "one remote file per recorded file, no .part left")
        for file in files {
            let bytes = FileManager.default.contents(atPath: server.root + "/" + file.name).map { [UInt8]($0) }
            #expect(bytes == (try? [UInt8](Data(contentsOf: directory.appendingPathComponent("archive").appendingPathComponent(file.archivePath)))))
        }
        let payments = try await store.payments(PaymentQuery(limit: 10_000))
        #expect(payments.count == 2_700)
        #expect(payments.allSatisfy { $0.state == .submittedToCore })
        for payment in payments {
            #expect(try await store.history(paymentID: payment.id).filter { $0.toState == .submittedToCore }.count == 1)
        }
        // Trace numbers were never reused across the files.
        var traces = Set<Int>()
        for file in files { for entry in try await store.filePayments(fileID: file.id) { traces.insert(entry.binding.traceNumber) } }
        #expect(traces.count == 2_700)
        #expect(killed > 0, "at least one run was killed mid-flight")
        return files
    }

    /// `metl payments import` killed with SIGKILL at arbitrary moments: each time either the whole
    /// file is visible or none of it, and the balance carries exactly the visible payments; the next
    /// run discards what a dead one staged.
    @Test func importSurvivesSIGKILLAnywhere() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("metl.sqlite").path
        let rows = 10_000
        let funds: Int64 = 9_000_000_000
        let store = try SQLiteStore(path: database)
        let merchant = try await store.fundedMerchant(funds)
        func importing(round: Int) throws -> Spawn.Child {
            let csv = directory.appendingPathComponent("payments-\(round).csv")
            try ImportCSV.text(count: rows).write(to: csv, atomically: true, encoding: .utf8)
            return try Spawn.start(CLI.binary.path, ["payments", "import", csv.path, "--merchant", merchant.name, "--database", database],
                                   environment: ProcessInfo.processInfo.environment)
        }
        var visible = 0
        var killed = 0
        var span = Duration.milliseconds(1_000)
        for round in 0..<8 {
            let process = try importing(round: round)
            switch await Self.kill(process, after: round == 0 ? nil : span * Double.random(in: 0.05...0.95)) {
            case .killed: killed += 1
            case .ended(let took): span = round == 0 ? took : min(span, took)  // as in the cutoff's test above
            }
            let now = try await store.payments(PaymentQuery(limit: 100_000))
            #expect(now.count == visible || now.count == visible + rows, "a whole file or none of it, never part: \(now.count - visible) rows")
            visible = now.count
            #expect(try await store.merchant(merchant.id).balance == funds - now.reduce(0) { $0 + $1.reservedAmount },
                    "no funds moved for an import that is not visible")
            #expect(try await store.pendingImports().count <= 1, "a dead run's import is discarded by the next")
        }
        let last = try importing(round: 8)
        #expect(await Self.waitOffPool(last) == 0)
        #expect(try await store.pendingImports().isEmpty)
        #expect(try await store.payments(PaymentQuery(limit: 100_000)).count == visible + rows)
        #expect(killed > 0, "at least one run was killed mid-flight")
    }

    enum Fate {
        case killed
        /// It ended first, this long after it started.
        case ended(took: Duration)
    }

    /// Kills `process` with SIGKILL `after` its start (nil: never) unless it ends first, and waits
    /// for it; on a thread of its own that watches it every millisecond, so neither the moment of
    /// the kill nor a run's measured length drifts when the cooperative pool is busy (an async
    /// sleep resumed late under the whole suite's load, and every kill came after its run).
    static func kill(_ process: Spawn.Child, after delay: Duration?) async -> Fate {
        let started = ContinuousClock.now
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                while process.isRunning {
                    if let delay, ContinuousClock.now - started >= delay {
                        process.kill(SIGKILL)
                        process.wait()
                        return continuation.resume(returning: .killed)
                    }
                    usleep(1_000)
                }
                continuation.resume(returning: .ended(took: ContinuousClock.now - started))
            }
        }
    }

    /// Waits for `process` on a thread of its own: a run takes seconds, and the cooperative pool has few threads.
    @discardableResult
    static func waitOffPool(_ process: Spawn.Child) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: process.wait()) }
        }
    }
}
