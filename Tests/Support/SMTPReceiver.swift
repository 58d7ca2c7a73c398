import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server on 127.0.0.1 for tests: Python's aiosmtpd (`scripts/smtp_receiver.py`, from
/// the venv `scripts/python-venv.sh` makes) with a certificate for `localhost` and 127.0.0.1 signed
/// by a throwaway CA, a user and password generated here, and a mailbox file of what it accepted.
public final class SMTPReceiver: @unchecked Sendable {
    // `@unchecked Sendable`: every stored property is a `let` except `pid`, which only `stop()`
    // changes, called from one test task at a time.

    public enum Security: Sendable {
        /// STARTTLS offered and required before AUTH and MAIL (submission, port 587).
        case startTLS
        /// TLS from the first byte (port 465).
        case implicitTLS
        /// No TLS offered at all, AUTH offered in clear: a server metl must refuse.
        case none
    }

    /// One message as the server accepted it.
    public struct Received: Decodable, Sendable {
        public var mailFrom: String
        public var rcptTos: [String]
        /// The message as received, dot-stuffing undone.
        public var data: String
        public var tls: Bool
        public var login: String?

        enum CodingKeys: String, CodingKey { case mailFrom = "mail_from", rcptTos = "rcpt_tos", data, tls, login }

        /// The value of the header `name` as received (folded lines joined).
        public func header(_ name: String) -> String? {
            let head = data.components(separatedBy: "\r\n\r\n").first ?? ""
            var value: String?
            for line in head.components(separatedBy: "\r\n") {
                if let current = value, line.hasPrefix(" ") || line.hasPrefix("\t") {
                    value = current + line
                } else if value != nil {
                    return value
                } else if line.lowercased().hasPrefix(name.lowercased() + ":") {
                    value = String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
                }
            }
            return value
        }

        /// The body, quoted-printable decoded (RFC 2045 §6.7), as UTF-8 with `\n` line ends.
        public var text: String {
            let parts = data.components(separatedBy: "\r\n\r\n")
            let body = parts.dropFirst().joined(separator: "\r\n\r\n")
            var bytes: [UInt8] = []
            var lines = body.components(separatedBy: "\r\n")
            if lines.last == "" { lines.removeLast() }
            for line in lines {
                var utf8 = Array(line.utf8)[...]
                let soft = utf8.last == UInt8(ascii: "=")
                if soft { utf8 = utf8.dropLast() }
                var index = utf8.startIndex
                while index < utf8.endIndex {
                    if utf8[index] == UInt8(ascii: "="), index + 2 < utf8.endIndex,
                       let byte = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                        bytes.append(byte)
                        index += 3
                    } else {
                        bytes.append(utf8[index])
                        index += 1
                    }
                }
                if !soft { bytes.append(UInt8(ascii: "\n")) }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    public let directory: URL
    public let port: Int
    public let username = "metl-alerts"
    public let password: String
    /// A file holding the password (what the configuration's `password_file` names).
    public let passwordFile: String
    /// The CA that signed the server's certificate (what the configuration's `ca_file` names).
    public let certificateAuthority: String
    private let mailbox: String
    private var pid: pid_t = 0

    /// Makes the certificates, starts the server and returns once it listens; on a thread of its
    /// own, since waiting for openssl and Python must not hold one of the cooperative pool's few
    /// threads (a receiver in the test process may need it meanwhile).
    public static func start(_ security: Security = .startTLS) async throws -> SMTPReceiver {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try SMTPReceiver(security) }) }
        }
    }

    private init(_ security: Security) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackServer.freePort()
        password = UUID().uuidString
        passwordFile = directory.appendingPathComponent("smtp-password").path
        try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        mailbox = directory.appendingPathComponent("mailbox.jsonl").path
        certificateAuthority = directory.appendingPathComponent("ca.pem").path
        let path = directory.path
        try ExternalCommand.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                     "-days", "1", "-subj", "/CN=metl test mail CA", "-keyout", path + "/ca.key",
                                                     "-out", certificateAuthority])
        try ExternalCommand.run("/usr/bin/openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                     "-subj", "/CN=localhost", "-keyout", path + "/server.key", "-out", path + "/server.csr"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: path + "/san.ext", atomically: true, encoding: .utf8)
        try ExternalCommand.run("/usr/bin/openssl", ["x509", "-req", "-in", path + "/server.csr", "-CA", certificateAuthority,
                                                     "-CAkey", path + "/ca.key", "-CAcreateserial", "-days", "1",
                                                     "-extfile", path + "/san.ext", "-out", path + "/server.pem"])
        var arguments = [Self.python, Self.root + "/scripts/smtp_receiver.py", "--port", String(port), "--out", mailbox,
                         "--cert", path + "/server.pem", "--key", path + "/server.key", "--user", username, "--password-file", passwordFile]
        switch security {
        case .startTLS: break
        case .implicitTLS: arguments.append("--implicit-tls")
        case .none: arguments.append("--no-tls")
        }
        try launch(arguments)
    }

    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    private static let python = root + "/.build/python-venv/bin/python"

    private func launch(_ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw SSHServer.ServerError(message: "no \(Self.python): run scripts/python-venv.sh (make test does)")
        }
        pid = try ServerProcess.start(arguments, output: directory.appendingPathComponent("server.log").path, port: port,
                                      name: "the SMTP server", timeout: 20)
    }

    /// What the server accepted so far, oldest first.
    public func received() throws -> [Received] {
        guard let data = FileManager.default.contents(atPath: mailbox) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Received.self, from: Data($0)) }
    }

    /// Waits until the server has accepted `count` messages (or `timeout` passes) and returns them.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let messages = try received()
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try received()
    }

    public func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
