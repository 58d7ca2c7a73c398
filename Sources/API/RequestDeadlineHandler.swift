import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Keeps slow or hostile clients from holding connections: a request head must arrive within
/// `headerTimeout` of its first bytes and its body within `bodyTimeout` of the head; a connection
/// with no request for `idleTimeout` is closed. A response that starts before its request was read to
/// the end, when the rest could be large (a declared length over the body limit, or no length at all:
/// a 413 for `Content-Length: 1 TiB`), says `Connection: close` and closes the connection after
/// itself, so the rest of that body is never read; a small declared body is read and dropped as usual,
/// keeping the connection. It sits after HTTP decoding, on the connection's event loop.
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
    private let maximumBodyBytes: Int
    private var state = State.idle
    private var deadline: Scheduled<Void>?
    /// The current request's declared body length, when it declared one.
    private var declaredLength: Int?
    private var closeAfterResponse = false

    init(timeouts: Timeouts, maximumBodyBytes: Int) {
        self.timeouts = timeouts
        self.maximumBodyBytes = maximumBodyBytes
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
        case .head(let head):
            state = .readingBody
            declaredLength = head.headerFields[.contentLength].flatMap(Int.init)
            arm(context, timeouts.body)
        case .body:
            break
        case .end:
            // The rest of a small body can arrive after its answer; the connection is idle by then.
            if state == .readingBody {
                state = .responding
                deadline?.cancel()
                deadline = nil
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where state == .readingBody && (declaredLength ?? Int.max) > maximumBodyBytes:
            // Answered before a body that may be huge was read: say so, and close after the answer.
            closeAfterResponse = true
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .end where closeAfterResponse:
            let channel = context.channel
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        case .end:
            state = .idle
            arm(context, timeouts.idle)
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
