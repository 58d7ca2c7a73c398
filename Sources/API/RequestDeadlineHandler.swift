import NIOCore
import NIOHTTPTypes

/// Keeps slow or hostile clients from holding connections: a request head must arrive within
/// `headerTimeout` of its first bytes and its body within `bodyTimeout` of the head; a connection
/// with no request for `idleTimeout` is closed. A response finished before its request was read to
/// the end (a 413 for a huge `Content-Length`, a 401) closes the connection, so the rest of that
/// body is never read. It sits after HTTP decoding, on the connection's event loop.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Timeouts: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    private enum State {
        /// Between requests: nothing has arrived yet.
        case idle
        /// Bytes of a request head have arrived, not the whole head.
        case readingHead
        /// The head arrived; its body has not ended.
        case readingBody
        /// The request was read to its end; the response is on its way.
        case responding
    }

    private let timeouts: Timeouts
    private var state = State.idle
    private var deadline: Scheduled<Void>?

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, timeouts.idle) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, timeouts.idle)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    /// Fires for every read from the socket, even one that completed no part of a request: the
    /// first bytes of a head start its deadline.
    func channelReadComplete(context: ChannelHandlerContext) {
        if state == .idle {
            state = .readingHead
            arm(context, timeouts.header)
        }
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            state = .readingBody
            arm(context, timeouts.body)
        case .body:
            break
        case .end:
            state = .responding
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        if state == .readingBody || state == .readingHead {
            // Answered before the request was read: close once the answer is out rather than read the rest.
            let channel = context.channel
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
            return
        }
        state = .idle
        arm(context, timeouts.idle)
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
