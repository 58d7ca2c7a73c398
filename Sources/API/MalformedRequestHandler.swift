import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Payments

/// Answers bytes that are not an HTTP request (a bad request line, a header without a colon, a
/// broken chunk) with a problem+json 400, like every other refusal, instead of the server's empty
/// one, then closes the connection: after a parse error nothing more on it can be read as a request.
/// It sits after HTTP decoding, where the decoder's error arrives.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let typeBase: String
    private var answered = false

    init(typeBase: String) {
        self.typeBase = typeBase
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else { return context.fireErrorCaught(error) }
        guard !answered else { return }
        answered = true
        let problem = Problem(.malformedRequest, "the request could not be parsed as HTTP/1.1; the connection is closed")
        let body = problem.body(typeBase: typeBase, path: "/", requestID: Identifier.make(prefix: "req"))
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.count), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
