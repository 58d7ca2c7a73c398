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
        // Nothing expires soon: reconcile is clean. A key expiring in 10 days is a finding it names.
        #expect(try await metl("reconcile").status == 0)
        #expect(try await metl("keys", "generate", "--name", "Short Lived", "--email", "soon@example.com", "--expires", "10d",
                         "--no-passphrase").status == 0)
        let reconciled = try await metl("reconcile")
        #expect(reconciled.status == 1 && reconciled.stdout.contains("KEY") && reconciled.stdout.contains("Short Lived"), "\(reconciled.stdout)")
    }
}
