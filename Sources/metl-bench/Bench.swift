import Foundation
import Payments
import PostgresStore
import SQLiteStore

/// metl-bench: speed and memory figures, run on a release build. Never part of the test suite.
/// Usage: metl-bench [nacha|import [ROWS]|csv [ROWS]|cutoff [PAYMENTS]|sftp|ingest [ENTRIES [CHUNK]]|ack [ENTRIES]|bai2 [ENTRIES]|positive-pay [CHECKS]|openpgp [ENTRIES]|api|webhooks|contention|postgres URL [PAYMENTS]|postgres-api URL|console [PAYMENTS [FILES]]|all] [--stop-after=setup|job]
@main
enum Bench {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let stop = try StopAfter.take(from: &arguments)
        func number(_ position: Int) -> Int? { arguments.dropFirst(position).first.flatMap { Int($0) } }
        switch arguments.first ?? "all" {
        case "import": try await ImportBench.run(rows: number(1) ?? 100_000, stop: stop)
        case "csv": try ImportBench.parse(rows: number(1) ?? 100_000)
        case "cutoff": try await PipelineBench.cutoff(payments: number(1) ?? 100_000, stop: stop)
        case "sftp": try await PipelineBench.sftp()
        case "ingest": try await PipelineBench.ingest(.returns, entries: number(1) ?? 100_000, chunkSize: number(2), stop: stop)
        case "ack": try await PipelineBench.ingest(.acknowledgement, entries: number(1) ?? 100_000, stop: stop)
        case "bai2": try await PipelineBench.ingest(.settlement, entries: number(1) ?? 100_000, stop: stop)
        case "positive-pay": try await PositivePayBench.run(checks: number(1) ?? 100_000)
        case "openpgp": try await OpenPGPBench.run(entries: number(1) ?? 100_000)
        case "nacha": try NACHABench.run()
        case "api": try await APIBench.run()
        case "webhooks": try await WebhookBench.run()
        case "contention": try await ContentionBench.run()
        case "console": try await ConsoleBench.run(payments: number(1) ?? 1_000_000, files: number(2) ?? 1_000)
        case "audit": try await AuditBench.run(rows: number(1) ?? 100_000, directory: arguments.count > 2 ? arguments[2] : nil)
        case "nacha-stream": try NACHABench.streamChild(path: arguments[1])
        case "postgres":
            guard arguments.count > 1 else {
                FileHandle.standardError.write(Data("usage: metl-bench postgres URL [PAYMENTS]\n".utf8))
                exit(2)
            }
            try await PostgresBench.run(url: arguments[1], payments: number(2) ?? 100_000)
        case "postgres-api":
            guard arguments.count > 1 else { exit(2) }
            try await PostgresBench.api(try PostgresLocation(url: arguments[1]))
        case "all":
            try NACHABench.run()
            try await ImportBench.run()
            try await PipelineBench.cutoff()
            try await PipelineBench.sftp()
            try await PipelineBench.ingest(.returns)
            try await PipelineBench.ingest(.acknowledgement)
            try await PipelineBench.ingest(.settlement)
            try await PositivePayBench.run()
            try await OpenPGPBench.run()
            try await APIBench.run()
            try await WebhookBench.run()
            try await ContentionBench.run()
        default:
            FileHandle.standardError.write(Data("usage: metl-bench [nacha|import|csv|cutoff|sftp|ingest|ack|bai2|positive-pay|openpgp|api|webhooks|contention|all]\n".utf8))
            exit(2)
        }
    }
}

/// Where a batch bench stops early, so that an instruction count (`valgrind --tool=callgrind`) of
/// the job alone is the count of a run stopped after `job` less that of one stopped after `setup`.
enum StopAfter: String {
    /// The database is seeded and the input is ready; the job has not started.
    case setup
    /// The job ran; its raw baseline (and any other variant) did not.
    case job

    /// Removes `--stop-after=PHASE` from `arguments`.
    static func take(from arguments: inout [String]) throws -> StopAfter? {
        guard let index = arguments.firstIndex(where: { $0.hasPrefix("--stop-after=") }) else { return nil }
        let name = arguments.remove(at: index).dropFirst("--stop-after=".count)
        guard let phase = StopAfter(rawValue: String(name)) else {
            FileHandle.standardError.write(Data("metl-bench: --stop-after takes setup or job\n".utf8))
            exit(2)
        }
        return phase
    }
}

/// Wall-clock seconds of `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    var result: T?
    let duration = try clock.measure { result = try body() }
    return (result!, duration.seconds)
}

func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try await body()
    return (result, (ContinuousClock.now - start).seconds)
}

/// Peak resident memory of this process image, in MiB (VmHWM: unlike ru_maxrss it restarts at exec).
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}

/// Restarts the peak `peakMemoryMiB` reports at the current resident size (Linux `clear_refs` 5),
/// so that a job's peak can be told from that of the setup before it in the same process (what
/// the setup freed but the allocator kept still counts: report the resident size at the start too).
func resetPeakMemory() {
    try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
}

func report(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
