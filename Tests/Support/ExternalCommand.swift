import Foundation

/// Runs a program (`ssh-keygen`, `sshd`, `curl`, `wrk`, OpenSSH's `sftp`) to its end and returns
/// what it printed on standard output, then standard error.
public enum ExternalCommand {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Through `Spawn`, not Foundation's `Process`, which crashes intermittently on Linux.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], allowFailure: Bool = false) throws -> String {
        let result = try Spawn.run(executable, arguments, environment: ProcessInfo.processInfo.environment, directory: nil, stdin: nil)
        let text = String(decoding: result.stdout + result.stderr, as: UTF8.self)
        if result.status != 0, !allowFailure {
            throw Failure(message: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// `run`, on a thread of its own: waiting for a program must not hold one of the few threads of
    /// Swift's cooperative pool, or every other test running at the time stalls with it.
    @discardableResult
    public static func detached(_ executable: String, _ arguments: [String], allowFailure: Bool = false) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(executable, arguments, allowFailure: allowFailure) })
            }
        }
    }
}
