import Hummingbird
import Logging

/// An HTTP server on a free port of 127.0.0.1, for tests and benchmarks: a receiver, or the API.
public struct LoopbackServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>

    /// Starts `router` quietly on `port` (0: any free one) and returns once it listens.
    public static func start<Builder: HTTPResponderBuilder>(_ router: Builder, port: Int = 0) async -> LoopbackServer
    where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                                      onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                                      logger: Logger(label: "metl.loopback") { _ in SwiftLogNoOpLogHandler() })
        let task = Task { try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        return LoopbackServer(port: await iterator.next() ?? 0, task: task)
    }

    /// Stops the server and waits for it to close.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
