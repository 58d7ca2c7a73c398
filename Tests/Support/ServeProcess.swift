import Foundation

/// `metl serve` in a process of its own on a free port of 127.0.0.1, up once it has printed the
/// port it listens on: for the multi-process tests and benches.
public struct ServeProcess {
    /// Started through `Spawn`: Foundation's `Process.run()` crashes the test process now and then.
    public let process: Spawn.Child
    public let port: Int

    public static func start(_ metl: URL, database: String, arguments: [String] = ["--no-webhooks"]) throws -> ServeProcess {
        let banner = FileManager.default.temporaryDirectory.appendingPathComponent("metl-serve-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: banner) }
        let process = try Spawn.start(metl.path, ["serve", "--port", "0", "--database", database] + arguments,
                                      environment: ProcessInfo.processInfo.environment.merging(["METL_LOG_LEVEL": "error"]) { $1 },
                                      output: banner)
        var printed = ""
        let deadline = Date().addingTimeInterval(60)
        while port(in: printed) == nil, process.isRunning, Date() < deadline {
            usleep(20_000)
            printed = (try? String(contentsOfFile: banner, encoding: .utf8)) ?? ""
        }
        guard let port = port(in: printed) else {
            process.kill(SIGTERM)
            process.wait()
            throw SSHServer.ServerError(message: "metl serve printed no port: \(printed)")
        }
        return ServeProcess(process: process, port: port)
    }

    /// The port of `metl serve: listening on HOST:PORT` in what the server printed (the console's
    /// line may follow it in the same read).
    public static func port(in banner: String) -> Int? {
        let listening = banner.split(separator: "\n").first { $0.contains("listening on") } ?? ""
        return listening.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// SIGTERM, then waits for it to exit.
    public func stop() {
        if process.isRunning { process.kill(SIGTERM) }
        process.wait()
    }
}
