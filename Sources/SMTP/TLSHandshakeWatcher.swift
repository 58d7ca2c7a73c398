import NIOCore
import NIOSSL
import NIOTLS

/// Sits just behind the TLS handler and reports how its handshake ended: a failed certificate
/// check closes the channel, and without this the client would only learn that a later write
/// met a closed channel, not why.
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let promise: EventLoopPromise<Void>
    private var completed = false

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    /// Adds a TLS client handler and a watcher at the front of `channel`'s pipeline; the future
    /// completes when the handshake does, or fails with its error. Call on the channel's event loop.
    static func startTLS(on channel: any Channel, context: NIOSSLContext, serverHostname: String?) throws -> EventLoopFuture<Void> {
        let watcher = TLSHandshakeWatcher(promise: channel.eventLoop.makePromise())
        try channel.pipeline.syncOperations.addHandler(watcher, position: .first)
        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
        return watcher.promise.futureResult
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { complete(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.eof))
    }

    private func complete(_ result: Result<Void, any Error>) {
        guard !completed else { return }
        completed = true
        promise.completeWith(result)
    }
}
