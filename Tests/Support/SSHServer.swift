import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real OpenSSH server on 127.0.0.1 for tests: a free port, a throwaway host key and client key,
/// `Subsystem sftp internal-sftp`, started on demand and stopped after. Nothing is committed: every
/// key is generated here.
public final class SSHServer: @unchecked Sendable {
    // `@unchecked Sendable`: every stored property is a `let` except `pid`, which is only
    // changed by `launch()`/`stop()`, called from one test task at a time.
    public let directory: URL
    public let port: Int
    public let username: String
    /// The client private key (ed25519) the server trusts.
    public let clientKeyPath: String
    /// A known_hosts file holding this server's host key.
    public let knownHostsPath: String
    /// A directory the tests upload into.
    public let root: String
    /// sshd's pid (`ServerProcess`), 0 while stopped.
    private var pid: pid_t = 0

    public static func start() throws -> SSHServer {
        let server = try SSHServer()
        try server.launch()
        return server
    }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-sshd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackServer.freePort()
        username = String(cString: getpwuid(getuid()).pointee.pw_name)
        clientKeyPath = directory.appendingPathComponent("client_key").path
        knownHostsPath = directory.appendingPathComponent("known_hosts").path
        root = directory.appendingPathComponent("outbox").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let hostKey = directory.appendingPathComponent("host_key").path
        try ExternalCommand.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])
        try ExternalCommand.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKeyPath])
        try FileManager.default.copyItem(atPath: clientKeyPath + ".pub", toPath: directory.appendingPathComponent("authorized_keys").path)
        let hostPublic = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ")
        try "[127.0.0.1]:\(port) \(hostPublic[0]) \(hostPublic[1])\n".write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(hostKey)
            PidFile \(directory.appendingPathComponent("sshd.pid").path)
            AuthorizedKeysFile \(directory.appendingPathComponent("authorized_keys").path)
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            Subsystem sftp internal-sftp
            MaxStartups 100
            LogLevel ERROR

            """
        try config.write(to: directory.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        // sshd refuses to start without its privilege separation directory.
        if getuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
    }

    /// Starts sshd (again, after `stop()`) and waits until it accepts connections.
    public func launch() throws {
        pid = try ServerProcess.start(["/usr/sbin/sshd", "-D", "-e", "-f", directory.appendingPathComponent("sshd_config").path],
                                      output: "/dev/null", port: port, name: "sshd", timeout: 10)
    }

    /// Stops sshd and the sessions it forked.
    public func stop() {
        guard pid > 0 else { return }
        signalChildren(SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// Kills the per-connection sshd children, dropping every open session, and keeps listening.
    public func dropConnections() {
        signalChildren(SIGKILL)
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the listener and its sessions: a server that stalls.
    public func pause(_ paused: Bool) {
        guard pid > 0 else { return }
        signalChildren(paused ? SIGSTOP : SIGCONT)
        kill(pid, paused ? SIGSTOP : SIGCONT)
    }

    /// Signals every process whose parent is sshd (its per-connection sessions), found in /proc.
    private func signalChildren(_ signal: Int32) {
        guard pid > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name: state, ppid, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { kill(child, signal) }
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Helpers

    public struct ServerError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
