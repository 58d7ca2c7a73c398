import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// `metl serve`, API keys and idempotency purge through the executable.
@Suite(.serialized) struct ServeCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-serve-\(UUID().uuidString)")
    var database: String { directory.appendingPathComponent("metl.sqlite").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func merchant() throws {
        #expect(try CLI.run(["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME", "--database", database]).status == 0)
        #expect(try CLI.run(["merchants", "fund", "acme", "500000", "--database", database]).status == 0)
    }

    @Test func keysAreShownOnceListedByHintAndRevocable() throws {
        try merchant()
        let created = try CLI.run(["merchants", "keys", "create", "acme", "--json", "--database", database])
        #expect(created.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let secret = try #require(document?["key"] as? String)
        let id = try #require(document?["id"] as? String)
        #expect(secret.hasPrefix("metl_sk_") && secret.count == 51)
        let listed = try CLI.run(["merchants", "keys", "list", "acme", "--database", database])
        #expect(listed.stdout.contains(id) && listed.stdout.contains(String(secret.suffix(4))))
        #expect(!listed.stdout.contains(secret))
        #expect(try CLI.run(["merchants", "keys", "revoke", "acme", id, "--database", database]).status == 0)
        #expect(try CLI.run(["merchants", "keys", "revoke", "acme", "key_unknown", "--database", database]).status == 4)
    }

    @Test func purgeKeepsKeysAtLeastThirtyDays() throws {
        try merchant()
        #expect(try CLI.run(["idempotency", "purge", "--days", "10", "--database", database]).status == 2)
        let purged = try CLI.run(["idempotency", "purge", "--json", "--database", database])
        #expect(purged.status == 0)
        #expect(purged.stdout.contains("\"purged\" : 0"))
    }

    /// Piped, the secret is alone on stdout for a script; on a terminal (util-linux `script` gives
    /// the command one) a person sees what it is.
    @Test func aSecretIsLabelledOnlyOnATerminal() throws {
        try merchant()
        let piped = try CLI.run(["merchants", "keys", "create", "acme", "--database", database])
        #expect(piped.stdout.hasPrefix("metl_sk_") && piped.stdout.split(separator: "\n").count == 1, "\(piped.stdout)")
        let command = [CLI.binary.path, "merchants", "keys", "create", "acme", "--database", database].joined(separator: " ")
        let terminal = try ExternalCommand.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(terminal.contains("API key secret: metl_sk_"), "\(terminal)")
    }

    @Test func serveAnswersThenStopsGracefullyOnSIGTERM() async throws {
        try merchant()
        let secret = try CLI.run(["merchants", "keys", "create", "acme", "--database", database]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", "0", "--database", database]
        let output = Pipe()
        process.standardOutput = output
        let log = Pipe()
        process.standardError = log
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var banner = ""
        let deadline = Date().addingTimeInterval(30)
        while !banner.contains("\n"), Date() < deadline {
            banner += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        let port = try #require(ServeProcess.port(in: banner))

        let (healthBody, health) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((health as? HTTPURLResponse)?.statusCode == 200)
        // The build the server says it is, the one --version names.
        let build = try #require(try JSONSerialization.jsonObject(with: healthBody) as? [String: String])
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout == "metl \(build["version"] ?? "?") (commit \(build["commit"] ?? "?"))\n", "\(version.stdout)")
        #expect(version.stdout.wholeMatch(of: /metl \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n/) != nil, "\(version.stdout)")
        let (metricsBody, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        #expect(String(decoding: metricsBody, as: UTF8.self).contains(#"metl_build_info{version="\#(build["version"] ?? "?")",commit="\#(build["commit"] ?? "?")"} 1"#))
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/payments/ach")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        request.setValue(UUID().uuidString, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"""
            {"amount": 1000, "direction": "debit", "sec_code": "PPD", "description": "RENT", "effective_date": "\#(Requests.effectiveDate)",
             "counterparty": {"name": "JANE DOE", "routing_number": "121042882", "account_number": "12345678", "account_type": "checking"}}
            """#.utf8)
        let (body, created) = try await URLSession.shared.data(for: request)
        #expect((created as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: body, as: UTF8.self))")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        // The shutdown says when it starts, what it is finishing, and when it is done.
        let logged = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stopping = try #require(logged.range(of: "stopping"), "\(logged)")
        #expect(logged.contains("requests_in_flight=0"), "\(logged)")
        #expect(logged[stopping.upperBound...].contains("stopped"), "\(logged)")
        let listed = try CLI.run(["payments", "list", "--json", "--database", database])
        #expect(listed.stdout.contains("P_VALIDATED"))
    }

    /// With a certificate and key, the API and the console answer over HTTPS only, and the session
    /// cookie is `Secure` with HSTS on every console answer.
    @Test func serveSpeaksTLSWhenGivenACertificate() throws {
        try merchant()
        let directory = URL(fileURLWithPath: database).deletingLastPathComponent().path
        let (certificate, key) = (directory + "/tls.pem", directory + "/tls.key")
        _ = try ExternalCommand.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                                               "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                                               "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate])
        let server = try ServeProcess.start(CLI.binary, database: database, arguments: ["--no-webhooks", "--tls-certificate", certificate, "--tls-key", key])
        defer { server.stop() }
        let base = "https://127.0.0.1:\(server.port)"
        let health = try ExternalCommand.run("/usr/bin/curl", ["-s", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}", base + "/healthz"])
        #expect(health == "200")
        let signIn = try ExternalCommand.run("/usr/bin/curl", ["-s", "--cacert", certificate, "-D", "-", "-o", "/dev/null", base + "/console/sign-in"])
        #expect(signIn.contains("200") && signIn.lowercased().contains("strict-transport-security: max-age="))
        let cookie = signIn.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("set-cookie: metl_sign_in=") } ?? ""
        #expect(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(signIn)")
        // Plain HTTP on the TLS port gets no answer.
        let plain = try ExternalCommand.run("/usr/bin/curl", ["-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}",
                                                              "http://127.0.0.1:\(server.port)/healthz"], allowFailure: true)
        #expect(plain != "200")
        // An unreadable key is a clear refusal at start, not a server without TLS.
        let refused = try CLI.run(["serve", "--port", "0", "--database", database, "--tls-certificate", certificate, "--tls-key", directory + "/missing.key"])
        #expect(refused.status == 2 && refused.stderr.contains("cannot read the TLS certificate"), "\(refused.stderr)")
        let half = try CLI.run(["serve", "--port", "0", "--database", database, "--tls-certificate", certificate])
        #expect(half.status != 0 && half.stderr.contains("--tls-key"), "\(half.stderr)")
    }

    /// Hostile requests to the console through the real server: each gets a clear 4xx page, never a
    /// crash, and the server answers the next request.
    @Test func theConsoleAnswersHostileRequestsAndStaysUp() throws {
        try merchant()
        let server = try ServeProcess.start(CLI.binary, database: database)
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        func status(_ arguments: [String]) throws -> String {
            try ExternalCommand.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "10"] + arguments, allowFailure: true)
        }
        let huge = FileManager.default.temporaryDirectory.appendingPathComponent("form-\(UUID().uuidString)").path
        try Data(repeating: UInt8(ascii: "a"), count: 200_000).write(to: URL(fileURLWithPath: huge))
        defer { try? FileManager.default.removeItem(atPath: huge) }
        for (arguments, expected) in [
            (["--data-binary", "@" + huge, base + "/console/sign-in"], "413"),
            (["--data-binary", "csrf=%ZZ&operator=%00%FF&password=" + String(repeating: "%", count: 500), base + "/console/sign-in"], "403"),
            // A control character in a header: refused by the HTTP layer before any route.
            (["-H", "Cookie: metl_session=" + String(repeating: "\u{7F}x", count: 2_000), base + "/console/today"], "400"),
            (["-H", "Cookie: metl_session=" + String(repeating: "x", count: 4_000) + "; metl_session=; =;;", base + "/console/today"], "303"),
            ([base + "/console/payments/%2e%2e%2f%2e%2e%2fetc%2fpasswd"], "303"),
            ([base + "/console/nothing/here?x=%FF%FE"], "404"),
            (["-X", "POST", base + "/console/files/fil_x/cancel"], "403"),
        ] {
            #expect(try status(arguments) == expected, "\(arguments.suffix(1))")
        }
        #expect(try status([base + "/healthz"]) == "200", "the server is still up")
        #expect(try status([base + "/console/sign-in"]) == "200")
    }
}
