import Foundation
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
        let signal = status & 0x7F
        return Result(status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, stdout: out, stderr: err)
    }
}
