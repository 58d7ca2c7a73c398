import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A server a test runs in the background (sshd, the SMTP server): spawned with posix_spawn, not
/// Foundation's `Process`, whose child reaper blocks on a long-running child and would hang every
/// other `Process` the tests start meanwhile; returned once it accepts connections on its port.
enum ServerProcess {
    /// Starts `arguments` with standard output and error to `output` and returns its pid once
    /// 127.0.0.1:`port` accepts a connection; throws naming `name` if it exits or never listens.
    static func start(_ arguments: [String], output: String, port: Int, name: String, timeout: TimeInterval) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, arguments[0], &actions, nil, &argv, environ)
        guard rc == 0 else { throw SSHServer.ServerError(message: "cannot start \(name): \(String(cString: strerror(rc)))") }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if SSHServer.accepts(port: port) { return child }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                let said = output == "/dev/null" ? "" : ": " + ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
                throw SSHServer.ServerError(message: "\(name) exited at start (status \(status))\(said)")
            }
            usleep(20_000)
        }
        kill(child, SIGKILL)
        waitpid(child, nil, 0)
        throw SSHServer.ServerError(message: "\(name) did not listen on port \(port)")
    }
}
