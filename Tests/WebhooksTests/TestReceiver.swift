import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestSupport
import WebhookReceiver

/// A real HTTP receiver on 127.0.0.1 whose answer to each request a test decides. It records every
/// request (headers, body, arrival time) and checks signatures with the receiver kit.
final class TestReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: Data
        var at: Date
        var status: Int
        var verified: Bool
    }

    struct Answer: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var delay: Duration = .zero
    }

    /// Shared with the request handler.
    final class Log: Sendable {
        let entries = Mutex<[Received]>([])
    }

    let port: Int
    private let log = Log()
    private let server: LoopbackServer

    var received: [Received] { log.entries.withLock { $0 } }

    /// Starts on `port` (0: any free port). `answer` gets the 0-based request number.
    init(port: Int = 0, secrets: [String], answer: @escaping @Sendable (Int) -> Answer) async throws {
        let verifier = WebhookVerifier(secrets: secrets)
        let router = Router()
        let log = self.log
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            // HTTP types carry the Host header as the authority.
            headers[":authority"] = request.head.authority
            let data = Data(body.readableBytesView)
            let verified = (try? verifier.verify(headers: headers, body: data)) != nil
            let reply = log.entries.withLock { entries in
                let reply = answer(entries.count)
                entries.append(Received(headers: headers, body: data, at: Date(), status: reply.status, verified: verified))
                return (reply, entries.count - 1)
            }
            let (answer, index) = reply
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            var fields = HTTPFields()
            for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: "ok \(index)")))
        }
        server = await LoopbackServer.start(router, port: port)
        self.port = server.port
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    func stop() async {
        await server.stop()
    }
}
