import Foundation
import Logging
import OpenPGP

/// Two GnuPG homes made at test time, each with its own key: "us", through the library, and "the
/// bank", through the `gpg` command line as a bank would use it. Nothing is committed.
public struct OpenPGPFixture: Sendable {
    public let directory: URL
    public let us: GnuPG
    public let bankHome: String
    public let passphraseFile: String
    public let ours: Fingerprint
    public let banks: Fingerprint

    public init() async throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("pgp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        passphraseFile = directory.appendingPathComponent("passphrase").path
        try Data("\(UUID().uuidString)\n".utf8).write(to: URL(fileURLWithPath: passphraseFile))
        us = try GnuPG(home: directory.appendingPathComponent("us").path, logger: TestLog.logger())
        ours = try await us.generate(name: "METL Test", email: "ops@example.com", expires: "2y", passphraseFile: passphraseFile)
        bankHome = directory.appendingPathComponent("bank").path
        try FileManager.default.createDirectory(atPath: bankHome, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        banks = try await Self.generate(in: bankHome, "Example Bank <pgp@bank.example>")
        // Each side imports the other's public key, as the operators would exchange them.
        let ourPublic = directory.appendingPathComponent("ours.asc")
        try Data(try await us.exportPublic(ours)).write(to: ourPublic)
        try await bank(["--import", ourPublic.path])
        _ = try await us.importKeys(Array(try await bank(["--armor", "--export", banks.hex]).utf8))
    }

    /// A key made with the gpg command line in `home`, no passphrase; its fingerprint.
    public static func generate(in home: String, _ userID: String, expires: String = "1y") async throws -> Fingerprint {
        let status = try await ExternalCommand.detached("/usr/bin/gpg", ["--homedir", home, "--batch", "--status-fd", "1", "--pinentry-mode", "loopback",
                                                              "--passphrase", "", "--quick-generate-key", userID, "future-default", "default", expires])
        guard let created = status.split(separator: "\n").first(where: { $0.hasPrefix("[GNUPG:] KEY_CREATED") })?.split(separator: " ").last else {
            throw ExternalCommand.Failure(message: "gpg made no key: \(status)")
        }
        return try Fingerprint(String(created))
    }

    /// The bank's `gpg`, in its own home.
    @discardableResult
    public func bank(_ arguments: [String]) async throws -> String {
        try await ExternalCommand.detached("/usr/bin/gpg", ["--homedir", bankHome, "--batch", "--yes", "--trust-model", "always", "--pinentry-mode", "loopback",
                                                 "--passphrase", ""] + arguments)
    }

    public func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    public func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    public func stop() async {
        await us.stopAgent()
        _ = try? await ExternalCommand.detached("/usr/bin/gpgconf", ["--homedir", bankHome, "--kill", "gpg-agent"], allowFailure: true)
        try? FileManager.default.removeItem(at: directory)
    }
}
