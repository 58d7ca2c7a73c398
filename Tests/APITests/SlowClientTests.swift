import API
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HummingbirdTesting
import Payments
import TestSupport
import Testing

/// Clients that trickle, stall, hoard connections or announce huge bodies, against a live server on
/// 127.0.0.1 over raw sockets.
@Suite("slow and hostile clients on a live server", .serialized)
struct SlowClientTests {
    /// Runs blocking socket work on a thread of its own: the server's handlers need the cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// A plain TCP connection to the server.
    final class Connection {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(descriptor) }

        /// False once the server has closed the connection.
        @discardableResult
        func send(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
        }

        /// The head of a `POST /payments/ach` announcing `contentLength` body bytes.
        func sendPaymentHead(key: String, contentLength: Int) {
            send("POST /payments/ach HTTP/1.1\r\nHost: metl\r\nAuthorization: Bearer \(key)\r\n"
                 + "Idempotency-Key: \(UUID().uuidString)\r\nContent-Type: application/json\r\nContent-Length: \(contentLength)\r\n\r\n")
        }

        func send(bytes count: Int) -> Bool {
            [UInt8](repeating: 0x61, count: count).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
        }

        /// What arrived within 100 ms, and whether the server closed its side.
        func receive() -> (text: String, closed: Bool) {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return ("", true) }
            if count < 0 { return ("", errno == ECONNRESET) }
            return (String(decoding: buffer.prefix(count), as: UTF8.self), false)
        }

        /// Waits up to `limit` for the server to close, collecting what it sent; returns the time it took.
        func awaitClose(within limit: Duration) -> (text: String, after: Duration?) {
            let start = ContinuousClock.now
            var text = ""
            while ContinuousClock.now - start < limit {
                let (received, closed) = receive()
                text += received
                if closed { return (text, ContinuousClock.now - start) }
            }
            return (text, nil)
        }
    }

    static func configuration() -> APIConfiguration {
        var configuration = APIConfiguration()
        configuration.headerTimeout = .milliseconds(800)
        configuration.bodyTimeout = .milliseconds(800)
        configuration.idleTimeout = .milliseconds(800)
        return configuration
    }

    /// Runs `body` with the port of a live server over a funded merchant and its API key, off the
    /// cooperative pool; returns the fixture for checks afterwards.
    @discardableResult
    static func live(_ configuration: APIConfiguration = configuration(),
                     _ body: @escaping @Sendable (_ port: Int, _ key: String) throws -> Void) async throws -> APIFixture {
        let fixture = try await APIFixture(configuration: configuration)
        let key = fixture.key
        try await fixture.application.test(.live) { client in
            let port = try #require(client.port)
            try await blocking { try body(port, key) }
        }
        return fixture
    }

    @Test("bytes that are not HTTP get a problem+json 400 naming malformed_request, and the connection is closed")
    func malformedRequest() async throws {
        try await Self.live { port, _ in
            for garbage in ["GET /healthz HTTP/1.1\r\nHost: metl\r\nNo colon here\r\n\r\n", "\u{1}\u{2}\u{3} / HTTP/1.1\r\n\r\n"] {
                let connection = try Connection(port: port)
                connection.send(garbage)
                let (answer, _) = connection.awaitClose(within: .seconds(5))
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
                #expect(answer.lowercased().contains("content-type: application/problem+json"), "\(answer)")
                #expect(answer.contains("\"type\":\"/openapi.json#/x-problem-types/malformed_request\""), "\(answer)")
                #expect(answer.lowercased().contains("connection: close"))
            }
        }
    }

    @Test("a 1 TiB Content-Length is answered 413 at once and the connection closed; the body is not read")
    func hugeDeclaredBody() async throws {
        // The default timeouts: on a loaded machine, answering (the API key lookup) can take longer
        // than the short body timeout the other tests use, which would close the connection first.
        try await Self.live(APIConfiguration()) { port, key in
            let connection = try Connection(port: port)
            connection.sendPaymentHead(key: key, contentLength: 1 << 40)
            // The answer comes before any of the body is sent.
            var answer = ""
            let start = ContinuousClock.now
            // (Bounds with room for a loaded machine: the full suite runs on two cores.)
            while !answer.contains("\r\n\r\n"), ContinuousClock.now - start < .seconds(8) { answer += connection.receive().text }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
            // Then the connection is closed: sending the body soon fails instead of being read for ever.
            var sent = 0
            while ContinuousClock.now - start < .seconds(15), connection.send(bytes: 65_536) { sent += 65_536 }
            #expect(ContinuousClock.now - start < .seconds(15), "the server closed the connection")
            #expect(sent < 64 << 20, "the server stopped taking the body after \(sent) bytes")
        }
    }

    @Test("an early answer to a small declared body keeps the connection: the body is read and dropped")
    func earlyAnswerSmallBody() async throws {
        try await Self.live { port, _ in
            let connection = try Connection(port: port)
            // A wrong key is refused before the body is read; the 20 announced bytes come later.
            connection.sendPaymentHead(key: "metl_sk_wrong", contentLength: 20)
            var answer = ""
            let start = ContinuousClock.now
            while !answer.contains("\r\n\r\n"), ContinuousClock.now - start < .seconds(2) { answer += connection.receive().text }
            #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer)")
            #expect(!answer.lowercased().contains("connection: close"))
            connection.send(String(repeating: " ", count: 20))
            connection.send("GET /healthz HTTP/1.1\r\nHost: metl\r\n\r\n")
            var next = ""
            while !next.contains("HTTP/1.1 200"), ContinuousClock.now - start < .seconds(3) {
                let (text, closed) = connection.receive()
                next += text
                if closed { break }
            }
            #expect(next.contains("HTTP/1.1 200"), "the same connection answers the next request: \(next)")
        }
    }

    @Test("a request head trickled byte by byte is cut off at the header timeout")
    func slowHeader() async throws {
        try await Self.live { port, _ in
            let connection = try Connection(port: port)
            let start = ContinuousClock.now
            var open = true
            for byte in "GET /healthz HTTP/1.1\r\nHost: metl\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 where open {
                open = connection.send(String(UnicodeScalar(byte))) && !connection.receive().closed
            }
            #expect(!open, "the server closed the connection")
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(700) && elapsed < .seconds(4), "\(elapsed)")
        }
    }

    @Test("a body trickled after its head is cut off at the body timeout")
    func slowBody() async throws {
        let fixture = try await Self.live { port, key in
            let connection = try Connection(port: port)
            connection.sendPaymentHead(key: key, contentLength: 500)
            connection.send("{")
            let start = ContinuousClock.now
            var open = true
            while open, ContinuousClock.now - start < .seconds(5) {
                open = connection.send(" ") && !connection.receive().closed
            }
            #expect(!open, "the server closed the connection")
            #expect(ContinuousClock.now - start < .seconds(4))
        }
        #expect(try await fixture.store.payments(PaymentQuery(merchantID: fixture.merchant.id, limit: 10)).isEmpty, "nothing was created")
    }

    @Test("idle connections, with or without a request before, are closed at the idle timeout")
    func idleConnections() async throws {
        try await Self.live { port, _ in
            let silent = try Connection(port: port)
            #expect(silent.awaitClose(within: .seconds(4)).after != nil)
            let used = try Connection(port: port)
            used.send("GET /healthz HTTP/1.1\r\nHost: metl\r\n\r\n")
            let (answer, closedAfter) = used.awaitClose(within: .seconds(4))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(closedAfter != nil)
        }
    }

    @Test("connections beyond the cap wait until one closes, and are then served")
    func connectionCap() async throws {
        var configuration = Self.configuration()
        configuration.idleTimeout = .seconds(30)
        configuration.headerTimeout = .seconds(30)
        configuration.maximumConnections = 3
        let fixture = try await APIFixture(configuration: configuration)
        // Run as `metl serve` runs it (the test harness's own server setup drops the connection cap).
        let server = await LoopbackServer.start(making: { onServerRunning in
            APIServer.buildApplication(store: fixture.store, configuration: configuration, logger: LoopbackServer.quiet,
                                  onServerRunning: onServerRunning)
        })
        let port = server.port
        try await Self.blocking {
            var held = try (0..<3).map { _ in try Connection(port: port) }
            for connection in held {
                connection.send("GET /healthz HTTP/1.1\r\nHost: metl\r\n\r\n")
                #expect(connection.awaitClose(within: .milliseconds(500)).text.hasPrefix("HTTP/1.1 200"))
            }
            let waiting = try Connection(port: port)
            waiting.send("GET /healthz HTTP/1.1\r\nHost: metl\r\n\r\n")
            #expect(waiting.awaitClose(within: .milliseconds(600)).text.isEmpty, "not served while three connections are open")
            held.removeFirst()
            #expect(waiting.awaitClose(within: .seconds(3)).text.hasPrefix("HTTP/1.1 200"), "served once one closed")
        }
        await server.stop()
    }
}
