import Foundation
import Testing
import TestSupport

/// `metl keys` through the executable, in a GnuPG home made for the test next to its database.
@Suite struct KeysCLITests {
    @Test func generateListExportAndImportInMetlsOwnHome() async throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let home = directory.appendingPathComponent("gnupg").path
        defer {
            _ = try? ExternalCommand.run("/usr/bin/gpgconf", ["--homedir", home, "--kill", "gpg-agent"], allowFailure: true)
            try? FileManager.default.removeItem(at: directory)
        }
        let passphrase = directory.appendingPathComponent("passphrase").path
        try Data("correct horse\n".utf8).write(to: URL(fileURLWithPath: passphrase))
        let environment = ["METL_DATABASE": directory.appendingPathComponent("metl.sqlite").path]
        func metl(_ arguments: String...) async throws -> CLI.Result { try await CLI.detached(arguments, environment: environment) }

        #expect(try await metl("keys", "generate", "--name", "METL Ops", "--email", "ops@example.com").status == 8, "a passphrase is required")
        let generated = try await CLI.detached(["keys", "generate", "--name", "METL Ops", "--email", "ops@example.com", "--expires", "1y", "--json"],
                                    environment: environment.merging(["METL_SIGNING_PASSPHRASE_FILE": passphrase]) { $1 })
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(!generated.stdout.contains("correct horse") && !generated.stderr.contains("correct horse"))
        let key = try #require(try JSONSerialization.jsonObject(with: Data(generated.stdout.utf8)) as? [String: Any])
        let fingerprint = try #require(key["fingerprint"] as? String)
        #expect(fingerprint.count == 40 && key["secret"] as? Bool == true)
        #expect(FileManager.default.fileExists(atPath: home), "the home is gnupg/ next to the database")

        let exported = try await metl("keys", "export-public", fingerprint)
        #expect(exported.status == 0 && exported.stdout.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        #expect(try await metl("keys", "export-public", String(fingerprint.suffix(16))).status == 3, "a short id is refused")

        // The bank's public key, made elsewhere, imported from a file.
        let bankHome = directory.appendingPathComponent("bank").path
        try FileManager.default.createDirectory(atPath: bankHome, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { _ = try? ExternalCommand.run("/usr/bin/gpgconf", ["--homedir", bankHome, "--kill", "gpg-agent"], allowFailure: true) }
        _ = try await ExternalCommand.detached("/usr/bin/gpg", ["--homedir", bankHome, "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                                                     "--quick-generate-key", "Bank <pgp@bank.example>", "future-default", "default", "1y"])
        let bankKey = directory.appendingPathComponent("bank.asc")
        try Data(try await ExternalCommand.detached("/usr/bin/gpg", ["--homedir", bankHome, "--batch", "--armor", "--export"]).utf8).write(to: bankKey)
        let imported = try await metl("keys", "import", bankKey.path)
        #expect(imported.status == 0 && imported.stdout.contains("imported"), "\(imported.stderr)")

        let listed = try await metl("keys", "list", "--json")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(keys.count == 2)
        #expect(keys.first?["fingerprint"] as? String == fingerprint && keys.last?["secret"] as? Bool == false)
        #expect(keys.last?["user_ids"] as? [String] == ["Bank <pgp@bank.example>"])
        #expect((keys.last?["capabilities"] as? [String])?.contains("encrypt") == true)
        #expect(try await metl("keys", "list").stdout.contains("Bank <pgp@bank.example>"))
        #expect(try await metl("keys", "import", directory.appendingPathComponent("passphrase").path).status == 3, "not a key")
        // Nothing expires soon: reconcile (which reads a database, never makes one) is clean. A key
        // expiring in 10 days is a finding it names.
        #expect(try await metl("reconcile").status == 8, "no database yet")
        #expect(try await metl("migrate").status == 0)
        #expect(try await metl("reconcile").status == 0)
        #expect(try await metl("keys", "generate", "--name", "Short Lived", "--email", "soon@example.com", "--expires", "10d",
                         "--no-passphrase").status == 0)
        let reconciled = try await metl("reconcile")
        #expect(reconciled.status == 1 && reconciled.stdout.contains("KEY") && reconciled.stdout.contains("Short Lived"), "\(reconciled.stdout)")

        // The bank sends a message of a few kilobytes, signed and encrypted to us, that expands to 32 MiB: ingest stops
        // at the size limit and quarantines it (exit 1), and nothing past the limit reaches the archive.
        let bankFingerprint = try #require(keys.last?["fingerprint"] as? String)
        let ours = directory.appendingPathComponent("ours.asc")
        try Data(exported.stdout.utf8).write(to: ours)
        _ = try await ExternalCommand.detached("/usr/bin/gpg", ["--homedir", bankHome, "--batch", "--import", ours.path])
        let plain = directory.appendingPathComponent("plain.ach")
        try Data(repeating: UInt8(ascii: "9"), count: 32 << 20).write(to: plain)
        let bomb = directory.appendingPathComponent("bomb.ach.pgp")
        _ = try await ExternalCommand.detached("/usr/bin/gpg", ["--homedir", bankHome, "--batch", "--trust-model", "always", "--compress-algo", "bzip2",
                                                                "--bzip2-compress-level", "9", "--recipient", fingerprint, "--local-user", bankFingerprint,
                                                                "--sign", "--encrypt", "--output", bomb.path, plain.path])
        let bombSize = try #require(try FileManager.default.attributesOfItem(atPath: bomb.path)[.size] as? Int)
        #expect(bombSize < 64 << 10, "\(bombSize) bytes")
        let refused = try await CLI.detached(["ingest", bomb.path, "--require-signer", bankFingerprint, "--max-file-bytes", "1000000", "--json"],
                                             environment: environment.merging(["METL_SIGNING_PASSPHRASE_FILE": passphrase]) { $1 })
        #expect(refused.status == 1, "\(refused.stderr)")
        let outcome = try #require((try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(outcome["status"] as? String == "quarantined", "\(outcome)")
        #expect((outcome["reason"] as? String)?.contains("passes the limit of 1000000 bytes") == true, "\(outcome)")
        let archive = directory.appendingPathComponent("archive")
        let archived = FileManager.default.enumerator(at: archive, includingPropertiesForKeys: [.fileSizeKey])?.compactMap {
            try? ($0 as? URL)?.resourceValues(forKeys: [.fileSizeKey]).fileSize
        } ?? []
        #expect(!archived.isEmpty && archived.allSatisfy { $0 <= 1_000_000 }, "\(archived)")
    }

    /// A bank profile's own OpenPGP keys: its files are sealed to its bank and signed with ours, and
    /// `metl profiles check` finds an unusable key before a cutoff would.
    @Test func aBankProfilesOwnKeysSealItsFilesAndItsCheckFindsAnUnusableKey() async throws {
        let keys = try await OpenPGPFixture()
        defer { Task { await keys.stop() } }
        let outbox = keys.directory.appendingPathComponent("outbox").path
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        let config = keys.directory.appendingPathComponent("metl.json").path
        func write(encryptTo: String) throws {
            try JSONSerialization.data(withJSONObject: [
                "database": keys.directory.appendingPathComponent("metl.sqlite").path,
                "profiles": ["sealed": [
                    "odfi": ["routing": "121042882", "immediate_destination": "091000019", "origin_name": "METL", "destination_name": "BANK"],
                    "destinations": ["ach": "file://\(outbox)"],
                    "openpgp": ["encrypt_to": encryptTo, "sign_with": keys.ours.hex],
                ]],
            ]).write(to: URL(fileURLWithPath: config))
        }
        try write(encryptTo: keys.banks.hex)
        let environment = ["METL_CONFIG": config, "METL_GNUPGHOME": keys.us.home, "METL_SIGNING_PASSPHRASE_FILE": keys.passphraseFile,
                           "METL_CLOCK": CLI.demoClock]
        func metl(_ arguments: String...) async throws -> CLI.Result { try await CLI.detached(arguments, environment: environment) }
        #expect(try await metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try await metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try await metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)

        let checked = try await metl("profiles", "check", "sealed")
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("ok   sealing keys"))
        let run = try await metl("cutoff")
        #expect(run.status == 0, "\(run.stderr)")
        let sent = try FileManager.default.contentsOfDirectory(atPath: outbox)
        #expect(sent.count == 1 && sent[0].hasSuffix(".pgp"))
        // The bank opens it with its own gpg: our signature, a NACHA file inside.
        let opened = keys.directory.appendingPathComponent("opened.ach").path
        let status = try await keys.bank(["--status-fd", "1", "--output", opened, "--decrypt", outbox + "/" + sent[0]])
        #expect(status.contains("VALIDSIG") && status.contains(keys.ours.hex))
        #expect(try keys.read(opened).prefix(3) == Array("101".utf8)[...])

        // A key the home does not hold: the check fails, exit 8, naming the sealing keys.
        try write(encryptTo: String(repeating: "A", count: 40))
        let unusable = try await metl("profiles", "check", "sealed")
        #expect(unusable.status == 8)
        #expect(unusable.stdout.contains("FAIL sealing keys"))
    }
}
