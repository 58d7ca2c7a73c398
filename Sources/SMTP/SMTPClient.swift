import Foundation
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// Submits mail to one server: a connection per message, TLS before anything that matters, the
/// server's certificate checked for its host name, then `AUTH` when a password is configured,
/// the envelope and the message. The whole conversation has one deadline; a server that stops
/// answering is closed on, not waited for.
public struct SMTPClient: Sendable {
    public struct Credentials: Sendable, Hashable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public var server: SMTPServer
    public var credentials: Credentials?
    /// A PEM file of the certificate authorities to trust instead of the system's (a private CA).
    public var trustRootsFile: String?
    public var timeout: Duration
    let logger: Logger

    public init(server: SMTPServer, credentials: Credentials?, trustRootsFile: String? = nil, timeout: Duration = .seconds(30), logger: Logger) {
        self.server = server
        self.credentials = credentials
        self.trustRootsFile = trustRootsFile
        self.timeout = timeout
        self.logger = logger
    }

    /// Sends `message`; returns the server's answer to the message (`250 2.0.0 Ok: queued as …`).
    @discardableResult
    public func send(_ message: MailMessage) async throws(SMTPError) -> String {
        guard MailMessage.isAddress(message.from), !message.to.isEmpty, message.to.allSatisfy(MailMessage.isAddress) else {
            throw SMTPError(.refused, "the sender and every recipient must be bare addresses (name@domain)")
        }
        let tls = try tlsContext()
        let started = ContinuousClock.now
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let handshake: EventLoopFuture<Void>?
        do {
            (channel, handshake) = try await connect(tls: tls)
        } catch {
            throw SMTPError(.connect, "cannot connect to \(server.address): \(error)")
        }
        // The deadline closes the connection; whatever read was waiting then ends.
        let deadline = Task { [timeout] in
            try await Task.sleep(for: timeout)
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await handshake?.get()
                var conversation = Conversation(replies: inbound.makeAsyncIterator(), outbound: outbound)
                return try await converse(&conversation, message: message, channel: channel.channel, tls: tls)
            }
        } catch {
            // The deadline closed the connection: whatever broke off then, it was the wait.
            if ContinuousClock.now - started >= timeout {
                throw SMTPError(.timeout, "\(server.address) did not answer within \(timeout)")
            }
            if let error = error as? SMTPError { throw error }
            if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
                throw SMTPError(.tls, "TLS with \(server.address) failed: \(error)")
            }
            throw SMTPError(.protocolError, "the conversation with \(server.address) broke off: \(error)")
        }
    }

    /// Connects; with implicit TLS, also the handshake's outcome to wait for.
    private func connect(tls: NIOSSLContext) async throws -> (NIOAsyncChannel<ByteBuffer, ByteBuffer>, EventLoopFuture<Void>?) {
        let (implicit, hostname) = (server.security == .implicitTLS, serverHostname)
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(min(10, max(1, timeout.components.seconds))))
            .connect(host: server.host, port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // RFC 5321 lines are at most 512 bytes: a peer that sends more without a line end is cut off.
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder(),
                                                                                        maximumBufferSize: Self.longestLine))
                    let handshake = implicit ? try TLSHandshakeWatcher.startTLS(on: channel, context: tls, serverHostname: hostname) : nil
                    return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), handshake)
                }
            }
    }

    private func converse(_ conversation: inout Conversation, message: MailMessage, channel: any Channel, tls: NIOSSLContext) async throws -> String {
        try await conversation.expect([220], "the server's greeting")
        var extensions = try await conversation.command("EHLO \(Self.clientName)", expect: [250]).extensions
        if server.security == .startTLS {
            guard extensions["STARTTLS"] != nil else {
                throw SMTPError(.tls, "\(server.address) does not offer STARTTLS; metl sends no mail in clear")
            }
            try await conversation.command("STARTTLS", expect: [220])
            let hostname = serverHostname
            try await channel.eventLoop.submit {
                try TLSHandshakeWatcher.startTLS(on: channel, context: tls, serverHostname: hostname)
            }.get().get()
            // What the server said before TLS no longer counts (RFC 3207): ask again.
            extensions = try await conversation.command("EHLO \(Self.clientName)", expect: [250]).extensions
        }
        if let credentials {
            try await authenticate(&conversation, credentials, mechanisms: extensions["AUTH"] ?? [])
        }
        try await conversation.command("MAIL FROM:<\(message.from)>", expect: [250], refusal: .refused)
        var accepted = 0
        var refusal: SMTPReply?
        for recipient in message.to {
            let reply = try await conversation.send("RCPT TO:<\(recipient)>")
            if reply.code == 250 || reply.code == 251 {
                accepted += 1
            } else {
                // The others still get the message; the log names who did not.
                logger.warning("mail server refused a recipient", metadata: ["recipient": "\(recipient)", "reply": "\(reply.text)"])
                refusal = reply
            }
        }
        guard accepted > 0 else { throw SMTPError(.refused, "\(server.address) refused every recipient", reply: refusal?.text) }
        try await conversation.command("DATA", expect: [354], refusal: .refused)
        try await conversation.write(Self.dotStuffed(message.rendered) + Array(".\r\n".utf8))
        let queued = try await conversation.expect([250], "the message", refusal: .refused)
        _ = try? await conversation.send("QUIT")
        return queued.text
    }

    private func authenticate(_ conversation: inout Conversation, _ credentials: Credentials, mechanisms: [String]) async throws {
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))).base64EncodedString()
            try await conversation.command("AUTH PLAIN " + token, expect: [235], refusal: .authentication, shown: "AUTH PLAIN …")
        } else if mechanisms.contains("LOGIN") {
            try await conversation.command("AUTH LOGIN", expect: [334], refusal: .authentication)
            try await conversation.command(Data(credentials.username.utf8).base64EncodedString(), expect: [334], refusal: .authentication,
                                           shown: "the user name")
            try await conversation.command(Data(credentials.password.utf8).base64EncodedString(), expect: [235], refusal: .authentication,
                                           shown: "the password")
        } else {
            throw SMTPError(.authentication, "\(server.address) offers neither AUTH PLAIN nor AUTH LOGIN over TLS")
        }
    }

    private func tlsContext() throws(SMTPError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let trustRootsFile {
            guard FileManager.default.isReadableFile(atPath: trustRootsFile) else {
                throw SMTPError(.tls, "cannot read the CA file \(trustRootsFile)")
            }
            configuration.trustRoots = .file(trustRootsFile)
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError(.tls, "cannot set up TLS: \(error)")
        }
    }

    /// The name sent in SNI and checked against the certificate; an IP address is checked as one.
    private var serverHostname: String? {
        (try? SocketAddress(ipAddress: server.host, port: 0)) == nil ? server.host : nil
    }

    /// The most bytes one answer line may take before the peer is refused (RFC 5321 allows 512).
    static let longestLine = 16 * 1024

    /// This host's name for EHLO.
    static let clientName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty || name.contains(where: { $0.isWhitespace }) ? "localhost" : name
    }()

    /// RFC 5321 §4.5.2: a line that starts with a dot gets another, so none ends the message early.
    static func dotStuffed(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var lineStart = true
        for byte in bytes {
            if lineStart, byte == UInt8(ascii: ".") { output.append(byte) }
            output.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
        }
        if !lineStart { output += Array("\r\n".utf8) }
        return output
    }

    /// The commands sent and the answers read on one connection.
    struct Conversation {
        var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

        mutating func read() async throws -> SMTPReply {
            var reply: SMTPReply?
            while true {
                guard let buffer = try await replies.next() else {
                    throw SMTPError(.protocolError, "the server closed the connection", reply: reply?.text)
                }
                let line = String(decoding: buffer.readableBytesView, as: UTF8.self)
                guard let parsed = SMTPReply.parse(line: line), reply == nil || reply?.code == parsed.code else {
                    throw SMTPError(.protocolError, "the server's answer is not SMTP", reply: String(line.prefix(200)))
                }
                reply = SMTPReply(code: parsed.code, lines: (reply?.lines ?? []) + [parsed.text])
                if !parsed.more, let reply { return reply }
                if reply!.lines.count > 100 { throw SMTPError(.protocolError, "the server's answer does not end") }
            }
        }

        func write(_ bytes: [UInt8]) async throws {
            try await outbound.write(ByteBuffer(bytes: bytes))
        }

        mutating func send(_ command: String) async throws -> SMTPReply {
            try await write(Array((command + "\r\n").utf8))
            return try await read()
        }

        /// Sends `command` and returns the answer if its code is one of `expect`; otherwise throws
        /// `refusal` naming the command as `shown` (never the password).
        @discardableResult
        mutating func command(_ command: String, expect codes: Set<Int>, refusal: SMTPError.Code = .protocolError,
                              shown: String? = nil) async throws -> SMTPReply {
            try await write(Array((command + "\r\n").utf8))
            return try await expect(codes, shown ?? String(command.prefix(40)), refusal: refusal)
        }

        @discardableResult
        mutating func expect(_ codes: Set<Int>, _ what: String, refusal: SMTPError.Code = .protocolError) async throws -> SMTPReply {
            let reply = try await read()
            guard codes.contains(reply.code) else {
                throw SMTPError(refusal, "the server refused \(what)", reply: reply.text)
            }
            return reply
        }
    }
}
