import Foundation

/// `metl serve` in a process of its own on a free port of 127.0.0.1, up once it has printed the
/// port it listens on: for the multi-process tests and benches.
public struct ServeProcess {
    public let process: Process
    public let port: Int

    public static func start(_ metl: URL, database: String, arguments: [String] = ["--no-webhooks"]) throws -> ServeProcess {
        let process = Process()
        process.executableURL = metl
        process.arguments = ["serve", "--port", "0", "--database", database] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["METL_LOG_LEVEL": "error"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(60)
        while !banner.contains("\n"), Date() < deadline {
            banner += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard let port = port(in: banner) else {
            process.terminate()
            throw SSHServer.ServerError(message: "metl serve printed no port: \(banner)")
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
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
