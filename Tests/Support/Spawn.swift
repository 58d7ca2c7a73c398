import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with `posix_spawn`, its standard input, output and error on pipes.
/// Foundation's `Process.run()` on Linux (Swift 6.3.1) intermittently crashes the test process with
/// a read past a buffer while it lists `/proc/self/fd` (swift-corelibs-foundation#5472); the test
/// suites start thousands of `metl` processes, so they go through this instead. Every pipe is
/// close-on-exec, made and handed over under one lock, so a child inherits no other child's pipe.
/// The working directory is set by `env -C` (glibc's `addchdir_np` is not visible to Swift).
public enum Spawn {
    /// Held from making a child's pipes until the child has them, so no other spawn sees them open.
    private static let spawning = NSLock()

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `executable` with `arguments` in `directory` with exactly `environment`, writes `stdin`
    /// to it and reads both outputs until it exits. The exit status of a child killed by a signal is
    /// 128 plus the signal, as a shell reports it.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String], directory: String?,
                           stdin: Data?) throws -> Result {
        func makePipe() throws -> [Int32] {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { throw Failure(description: "cannot make a pipe: \(String(cString: strerror(errno)))") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            return ends
        }
        spawning.lock()
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1], error: [Int32] = [-1, -1]
        do {
            (input, output, error) = (try makePipe(), try makePipe(), try makePipe())
        } catch {
            spawning.unlock()
            throw error
        }
        defer { for descriptor in input + output + error where descriptor >= 0 { close(descriptor) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, error[1], 2)

        let argv = (["env"] + (directory.map { ["-C", $0] } ?? []) + ["--", executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        // The child holds its ends now (or there is no child).
        for index in [input[0], output[1], error[1]] { close(index) }
        (input[0], output[1], error[1]) = (-1, -1, -1)
        spawning.unlock()
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }

        let pending = [UInt8](stdin ?? Data())
        var written = 0
        if pending.isEmpty { close(input[1]); input[1] = -1 }
        var out = Data(), err = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while output[0] >= 0 || error[0] >= 0 {
            var watched = [pollfd(fd: output[0], events: Int16(POLLIN), revents: 0), pollfd(fd: error[0], events: Int16(POLLIN), revents: 0),
                           pollfd(fd: input[1], events: Int16(POLLOUT), revents: 0)]
            guard poll(&watched, 3, -1) >= 0 || errno == EINTR else { throw Failure(description: "poll failed") }
            for (slot, index) in [(0, 0), (1, 1)] where watched[slot].revents != 0 {
                let descriptor = index == 0 ? output[0] : error[0]
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 {
                    if index == 0 { out.append(contentsOf: buffer[..<count]) } else { err.append(contentsOf: buffer[..<count]) }
                } else if count == 0 || errno != EINTR {
                    close(descriptor)
                    if index == 0 { output[0] = -1 } else { error[0] = -1 }
                }
            }
            if input[1] >= 0, watched[2].revents != 0 {
                let count = pending.withUnsafeBytes { write(input[1], $0.baseAddress! + written, pending.count - written) }
                if count > 0 { written += count }
                if count <= 0 && errno != EINTR || written == pending.count { close(input[1]); input[1] = -1 }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return Result(status: exitStatus(status), stdout: out, stderr: err)
    }

    /// A wait status as a shell reports it: the exit code, or 128 plus the signal that ended it.
    static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// A program left running, its output discarded: for tests that kill it mid-run.
    public final class Child: Sendable {
        public let pid: pid_t
        /// Its exit status once reaped.
        private let ended = Mutex<Int32?>(nil)

        init(pid: pid_t) { self.pid = pid }

        /// Whether it still runs; reaps it once it has ended.
        public var isRunning: Bool {
            ended.withLock { ended in
                guard ended == nil else { return false }
                var status: Int32 = 0
                guard waitpid(pid, &status, WNOHANG) == pid else { return true }
                ended = Spawn.exitStatus(status)
                return false
            }
        }

        public func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

        /// Waits for it to end; its exit status.
        @discardableResult
        public func wait() -> Int32 {
            ended.withLock { ended in
                if let ended { return ended }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                ended = Spawn.exitStatus(status)
                return ended!
            }
        }
    }

    /// Starts `executable` with `arguments` and exactly `environment`, its input on /dev/null, its
    /// standard output into the file `output` (or discarded) and its errors discarded, and returns
    /// without waiting: what Foundation's `Process` would do, without its crash.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String],
                             output: String = "/dev/null") throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        return Child(pid: pid)
    }
}
