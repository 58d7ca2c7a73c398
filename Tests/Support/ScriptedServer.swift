import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP server on 127.0.0.1 that says the same bytes to every connection and then listens without
/// answering: a peer that speaks another protocol, or floods, for a client's hostile-input tests.
/// Python's standard library, so it needs nothing installed.
public final class ScriptedServer: @unchecked Sendable {
    // `@unchecked Sendable`: `pid` is set once by the initializer and cleared only by `stop()`,
    // called from one test task at a time.
    public let port: Int
    private var pid: pid_t = 0
    private let directory: URL

    /// Starts the server saying `bytes` on a thread of its own (the wait must not hold the cooperative pool).
    public static func start(saying bytes: [UInt8]) async throws -> ScriptedServer {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try ScriptedServer(bytes) }) }
        }
    }

    private init(_ bytes: [UInt8]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-scripted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackServer.freePort()
        let said = directory.appendingPathComponent("said.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: said))
        let script = """
            import os, socket, sys, threading
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
            data = open(sys.argv[2], "rb").read()
            server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
            def serve(connection):
                connection.sendall(data)
                while connection.recv(65536): pass
            while True:
                connection, _ = server.accept()
                threading.Thread(target=serve, args=(connection,), daemon=True).start()
            """
        pid = try ServerProcess.start(["/usr/bin/python3", "-c", script, String(port), said],
                                      output: directory.appendingPathComponent("server.log").path, port: port,
                                      name: "the scripted server", timeout: 20)
    }

    public func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
