import Foundation
import Logging
import SMTP
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The client against a real SMTP server (aiosmtpd) on loopback: TLS first, the certificate
/// checked, AUTH, the message intact; and every way the server can say no. One server at a time,
/// each given a minute: under the whole suite's load a Python server answers slowly, and what is
/// tested is the answer, not its speed (the silent server's test sets its own short deadline).
@Suite(.serialized) struct SMTPClientTests {
    static let logger = Logger(label: "metl.smtp.test") { _ in SwiftLogNoOpLogHandler() }

    func client(_ receiver: SMTPReceiver, _ security: SMTPServer.Security = .startTLS, password: String? = nil,
                trust: String?? = .none, host: String = "localhost") -> SMTPClient {
        SMTPClient(server: SMTPServer(host: host, port: receiver.port, security: security),
                   credentials: .init(username: receiver.username, password: password ?? receiver.password),
                   trustRootsFile: trust ?? receiver.certificateAuthority, timeout: .seconds(60), logger: Self.logger)
    }

    static let text = """
        metl alert: cutoff_failed (critical)
        .a line starting with a dot, and one that is only a dot:
        .
        Zahlung fällig — 12,00 €\(String(repeating: " long", count: 40))
        trailing spaces   
        """

    func message(to: [String] = ["ops@example.com", "oncall@example.com"]) -> MailMessage {
        MailMessage(from: "metl@example.com", to: to, subject: "[CRITICAL] cutoff_failed: Zahlung fällig",
                    text: Self.text, date: Date(timeIntervalSince1970: 1_796_000_000), messageID: "alert-1.trigger@metl")
    }

    @Test func aMessageGoesOverSTARTTLSWithAuthIntact() async throws {
        let receiver = try await SMTPReceiver.start(.startTLS)
        let answer = try await client(receiver).send(message())
        #expect(answer.hasPrefix("250 2.0.0 Ok: queued as test-1"))
        let received = try receiver.received()
        try #require(received.count == 1)
        let mail = received[0]
        #expect(mail.tls && mail.login == receiver.username)
        #expect(mail.mailFrom == "metl@example.com" && mail.rcptTos == ["ops@example.com", "oncall@example.com"])
        #expect(mail.text == Self.text + "\n", "dots, non-ASCII, long lines and trailing spaces arrive as written")
        #expect(mail.data.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 76 }, "no line over 76 characters")
        #expect(mail.header("Message-ID") == "<alert-1.trigger@metl>" && mail.header("Auto-Submitted") == "auto-generated")
        #expect(mail.header("Date") == "Mon, 30 Nov 2026 00:53:20 +0000")
        let subject = try #require(mail.header("Subject"))
        let decoded = subject.split(separator: " ").map { word -> String in
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == "[CRITICAL] cutoff_failed: Zahlung fällig")
    }

    @Test func implicitTLSAndAnIPAddressCheckedAgainstTheCertificate() async throws {
        let receiver = try await SMTPReceiver.start(.implicitTLS)
        try await client(receiver, .implicitTLS, host: "127.0.0.1").send(message(to: ["ops@example.com"]))
        #expect(try receiver.received().map(\.tls) == [true])
    }

    @Test func aServerWithoutSTARTTLSIsRefusedBeforeTheEnvelopeOrPassword() async throws {
        let receiver = try await SMTPReceiver.start(.none)
        let error = await #expect(throws: SMTPError.self) { try await client(receiver).send(message()) }
        #expect(error?.code == .tls && error?.message.contains("does not offer STARTTLS") == true)
        #expect(try receiver.received().isEmpty)
    }

    @Test func aWrongPasswordIsAnAuthenticationErrorThatDoesNotShowIt() async throws {
        let receiver = try await SMTPReceiver.start(.startTLS)
        let wrong = "wrong-" + UUID().uuidString
        let error = await #expect(throws: SMTPError.self) { try await client(receiver, password: wrong).send(message()) }
        #expect(error?.code == .authentication)
        #expect(error.map { !"\($0)".contains(wrong) && !"\($0)".contains(Data(wrong.utf8).base64EncodedString()) } == true)
        #expect(try receiver.received().isEmpty)
    }

    @Test func aCertificateNoTrustedAuthoritySignedIsRefusedBeforeAnythingIsSent() async throws {
        let receiver = try await SMTPReceiver.start(.startTLS)
        // The system's roots: the throwaway CA is not among them.
        let error = await #expect(throws: SMTPError.self) { try await client(receiver, trust: .some(nil)).send(message()) }
        #expect(error?.code == .tls, "\(String(describing: error))")
        #expect(try receiver.received().isEmpty)
    }

    @Test func noServerIsAConnectErrorAndASilentOneATimeout() async throws {
        let port = try LoopbackServer.freePort()
        let nothing = SMTPClient(server: SMTPServer(host: "127.0.0.1", port: port, security: .startTLS), credentials: nil,
                                 timeout: .seconds(60), logger: Self.logger)
        let refused = await #expect(throws: SMTPError.self) { try await nothing.send(message()) }
        #expect(refused?.code == .connect)

        // A socket that listens and never says a word.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        } && listen(descriptor, 4) == 0
        try #require(listening)
        let silent = SMTPClient(server: SMTPServer(host: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)), security: .startTLS),
                                credentials: nil, timeout: .seconds(1), logger: Self.logger)
        let started = ContinuousClock.now
        let timedOut = await #expect(throws: SMTPError.self) { try await silent.send(message()) }
        #expect(timedOut?.code == .timeout)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    /// A peer that is no SMTP server, one whose answer never ends, and one that sends a line
    /// without end (2 MB, no line break): each a protocol error at once, not at the deadline, and
    /// the password never in it.
    @Test func aServerThatSpeaksSomethingElseIsAProtocolError() async throws {
        let endless = Array(String(repeating: "250-more\r\n", count: 500).utf8)
        let unending = [UInt8](repeating: UInt8(ascii: "2"), count: 2_000_000)
        for (said, expected) in [(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8), "is not SMTP"),
                                 (Array("220 hello\r\n".utf8) + endless, "does not end"),
                                 (Array("220 hello\r\n".utf8) + unending, "broke off")] {
            let server = try await ScriptedServer.start(saying: said)
            defer { server.stop() }
            let client = SMTPClient(server: SMTPServer(host: "127.0.0.1", port: server.port, security: .startTLS),
                                    credentials: .init(username: "metl", password: "never-sent"), timeout: .seconds(20), logger: Self.logger)
            let started = ContinuousClock.now
            let error = await #expect(throws: SMTPError.self) { try await client.send(message()) }
            #expect(error?.code == .protocolError && error?.description.contains(expected) == true, "\(String(describing: error))")
            #expect(!(error?.description.contains("never-sent") ?? true))
            #expect(ContinuousClock.now - started < .seconds(15), "refused at once, not at the deadline")
        }
    }

    @Test func addressesNameAHostAPortAndHowTLSStarts() throws {
        #expect(try SMTPServer(address: "smtp://mail.example.com") == SMTPServer(host: "mail.example.com", port: 587, security: .startTLS))
        #expect(try SMTPServer(address: "smtps://mail.example.com") == SMTPServer(host: "mail.example.com", port: 465, security: .implicitTLS))
        #expect(try SMTPServer(address: "smtp://[::1]:2525/") == SMTPServer(host: "::1", port: 2525, security: .startTLS))
        #expect(try SMTPServer(address: "smtp://[::1]:2525").address == "smtp://[::1]:2525")
        for bad in ["http://mail.example.com", "smtp://", "smtp://mail:0", "smtp://mail:99999", "smtp://user@mail", "smtp://mail:x", "smtp://[::1]x"] {
            #expect(throws: SMTPError.self, "\(bad)") { try SMTPServer(address: bad) }
        }
        #expect(MailMessage.isAddress("ops@example.com"))
        for bad in ["ops", "@example.com", "ops@", "a@b@c", "ops@example.com\r\nRCPT TO:<x@y>", "<ops@example.com>", "o ps@example.com"] {
            #expect(!MailMessage.isAddress(bad), "\(bad)")
        }
    }

    @Test func aHeaderCannotBeBrokenByALineBreak() {
        var mail = message()
        mail.subject = "cutoff_failed\r\nBcc: everyone@example.com"
        let text = String(decoding: mail.rendered, as: UTF8.self)
        #expect(!text.contains("\r\nBcc:"))
        #expect(text.contains("Subject: cutoff_failed Bcc: everyone@example.com\r\n"))
    }
}
