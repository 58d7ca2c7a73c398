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
        @Flag(help: "Replace a recorded key that changed; needs --fingerprint, the new key's as the bank published it.") var replace = false

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
            let name = configuration.knownHostsName
            Output.line("\(name) \(key.type) \(key.fingerprint)")
            if let fingerprint, fingerprint != key.fingerprint {
                Output.error("metl: the server's fingerprint \(key.fingerprint) is not \(fingerprint); nothing recorded")
                throw ExitStatus.conflict
            }
            let known = KnownHosts(text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
            let recorded = known.keys(for: name)
            if recorded.contains(where: { $0.type == key.type && $0.base64 == key.base64 }) {
                Output.line("already trusted in \(path)")
                return
            }
            let updated: KnownHosts
            if recorded.isEmpty {
                updated = known.adding(name, key)
            } else {
                // A changed key is what an attacker in the middle shows too: only a person who checked the
                // new fingerprint with the bank replaces the old one.
                for old in recorded { Output.line("  recorded now: \(old.type) \(old.fingerprint)") }
                guard replace, fingerprint != nil else {
                    Output.error("metl: the host key of \(name) changed: \(recorded.map(\.fingerprint).joined(separator: ", ")) is recorded, "
                                 + "the server shows \(key.fingerprint); nothing recorded. Check the new fingerprint with the bank, then "
                                 + "run again with --replace --fingerprint \(key.fingerprint)")
                    throw ExitStatus.conflict
                }
                updated = known.replacing(name, with: key)
            }
            try updated.text.write(toFile: path, atomically: true, encoding: .utf8)
            Output.line(recorded.isEmpty ? "recorded in \(path)" : "replaced in \(path)")
        }
    }
}
