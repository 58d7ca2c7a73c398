import Foundation
import NACHA
import Payments
import Store

/// metl-bench: speed and memory figures, run on a release build. Never part of the test suite.
/// Usage: metl-bench [nacha|import|csv [ROWS]|cutoff|sftp|ingest [ENTRIES [CHUNK]]|ack [ENTRIES]|bai2 [ENTRIES]|api|webhooks|contention|all]
@main
enum Bench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first ?? "all" {
        case "import": try await ImportBench.run()
        case "csv": try ImportBench.parse(rows: arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000)
        case "cutoff": try await PipelineBench.cutoff()
        case "sftp": try await PipelineBench.sftp()
        case "ingest": try await PipelineBench.ingest(.returns, entries: arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000,
                                                       chunkSize: arguments.dropFirst(2).first.flatMap { Int($0) })
        case "ack": try await PipelineBench.ingest(.acknowledgement, entries: arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000)
        case "bai2": try await PipelineBench.ingest(.settlement, entries: arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000)
        case "nacha": try NACHABench.run()
        case "api": try await APIBench.run()
        case "webhooks": try await WebhookBench.run()
        case "contention": try await ContentionBench.run()
        case "nacha-stream": try NACHABench.streamChild(path: arguments[1])
        case "all":
            try NACHABench.run()
            try await ImportBench.run()
            try await PipelineBench.cutoff()
            try await PipelineBench.sftp()
            try await PipelineBench.ingest(.returns)
            try await PipelineBench.ingest(.acknowledgement)
            try await PipelineBench.ingest(.settlement)
            try await APIBench.run()
            try await WebhookBench.run()
            try await ContentionBench.run()
        default:
            FileHandle.standardError.write(Data("usage: metl-bench [nacha|import|csv|cutoff|sftp|ingest|ack|bai2|api|webhooks|contention|all]\n".utf8))
            exit(2)
        }
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

func report(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
