import Foundation
import Hummingbird
import Logging
import NIOCore

/// An HTTP server on a free port of 127.0.0.1, for tests and benchmarks: a receiver, or the API.
public struct LoopbackServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>

    /// Starts `router` quietly on `port` (0: any free one) and returns once it listens.
    public static func start<Builder: HTTPResponderBuilder>(_ router: Builder, port: Int = 0) async -> LoopbackServer
    where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        await start(making: { onServerRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                        onServerRunning: onServerRunning, logger: Self.quiet)
        })
    }

    /// Starts the application `make` builds (it must call the function it is given once it listens,
    /// as `Application`'s `onServerRunning`) and returns once it listens.
    public static func start<App: ApplicationProtocol>(
        making make: (_ onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> App
    ) async -> LoopbackServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = make { continuation.yield($0.localAddress?.port ?? 0) }
        let task = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        return LoopbackServer(port: await iterator.next() ?? 0, task: task)
    }

    /// A logger that drops everything: the servers tests start are quiet.
    public static let quiet = Logger(label: "metl.loopback") { _ in SwiftLogNoOpLogHandler() }

    /// A port of 127.0.0.1 nothing listens on (yet).
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw SSHServer.ServerError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops the server and waits for it to close.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
