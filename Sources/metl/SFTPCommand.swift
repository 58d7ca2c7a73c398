import ArgumentParser
import MetlConfiguration
import Foundation
import SFTP

struct SFTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(commandName: "sftp", abstract: "SFTP host keys.", subcommands: [Trust.self])

    struct Trust: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Record a server's host key in known_hosts after showing its SHA-256 fingerprint.",
            discussion: "Compare the fingerprint with the one your bank gave you; pass it with --fingerprint to have metl check it.")
        @Argument(help: "HOST or HOST:PORT.") var server: String
        @Option(help: "known_hosts file to add to ($METL_KNOWN_HOSTS).") var knownHosts: String?
        @Option(help: "The fingerprint the bank published (SHA256:…); the key is recorded only if it matches.") var fingerprint: String?

        func run() async throws {
            let parts = server.split(separator: ":")
            guard (1...2).contains(parts.count), let port = parts.count == 2 ? Int(parts[1]) : 22 else {
                throw ValidationError("server must be HOST or HOST:PORT")
            }
            guard let path = Layers.process.value(knownHosts, "METL_KNOWN_HOSTS") else {
                throw ConfigurationError(.missingValue, "--known-hosts (or $METL_KNOWN_HOSTS) is required")
            }
            let configuration = SFTPConfiguration(host: String(parts[0]), port: port, username: "", authentication: .password(""),
                                                  knownHostsPath: path)
            let key = try await SFTPClient.fetchHostKey(configuration)
            Output.line("\(configuration.knownHostsName) \(key.type) \(key.fingerprint)")
            if let fingerprint, fingerprint != key.fingerprint {
                Output.error("metl: the server's fingerprint \(key.fingerprint) is not \(fingerprint); nothing recorded")
                throw ExitStatus.conflict
            }
            let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let line = key.knownHostsLine(for: configuration.knownHostsName)
            if existing.split(separator: "\n").contains(where: { $0 == line }) {
                Output.line("already trusted in \(path)")
                return
            }
            let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
            try (existing + separator + line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            Output.line("recorded in \(path)")
        }
    }
}
