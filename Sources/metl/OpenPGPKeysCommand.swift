import ArgumentParser
import MetlConfiguration
import Foundation
import OpenPGP
import Payments

/// `metl keys`: the OpenPGP keys of metl's own GnuPG home (ours and the banks').
struct OpenPGPKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "keys", abstract: "OpenPGP keys in metl's GnuPG home: ours and the banks'.",
        discussion: "The home is $METL_GNUPGHOME, else gnupg/ next to a SQLite database; never ~/.gnupg.",
        subcommands: [Import.self, List.self, ExportPublic.self, Generate.self])

    struct KeyDocument: Encodable {
        var fingerprint: String
        var userIDs: [String]
        var created: String
        @Nullable var expires: String?
        var capabilities: [String]
        var secret: Bool
        var revoked: Bool
        enum CodingKeys: String, CodingKey {
            case fingerprint, userIDs = "user_ids", created, expires, capabilities, secret, revoked
        }
        init(_ key: OpenPGPKey) {
            fingerprint = key.fingerprint.hex
            userIDs = key.userIDs
            created = Timestamp.format(key.created)
            expires = key.expires.map(Timestamp.format)
            capabilities = [(OpenPGPKey.Capabilities.encrypt, "encrypt"), (.sign, "sign"), (.certify, "certify")]
                .filter { key.capabilities.contains($0.0) }.map(\.1)
            secret = key.hasSecret
            revoked = key.revoked
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Import a bank's public key, or our secret key, from a file.")
        @Argument(help: "Key file, armoured or binary (- for standard input).") var file: String
        @OptionGroup var home: GnuPGHomeOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let bytes = file == "-" ? [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                : [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let gnupg = try home.open(try store.settings())
            let imported = try await gnupg.importKeys(bytes, passphraseFile: home.passphrase())
            let keys = try await gnupg.keys().filter { imported.contains($0.fingerprint) }
            if output.json { return try Output.json(keys.map(KeyDocument.init)) }
            for key in keys {
                Output.line("imported \(key.fingerprint) \(key.userIDs.first ?? "")\(key.hasSecret ? " (secret)" : "")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "List the keys: fingerprint, user id, expiry, capabilities, secret or not.")
        @OptionGroup var home: GnuPGHomeOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let keys = try await home.open(try store.settings()).keys()
            if output.json { return try Output.json(keys.map(KeyDocument.init)) }
            let now = Date()
            Output.table(["FINGERPRINT", "USER ID", "EXPIRES", "CAN", "SECRET"], keys.map { key in
                let document = KeyDocument(key)
                let expiry = key.revoked ? "revoked" : key.isDead(at: now) ? "expired \(document.expires ?? "")"
                    : document.expires.map { key.expiresSoon(at: now, within: 30 * 86_400) ? "\($0) (soon)" : $0 } ?? "never"
                return [key.fingerprint.hex, key.userIDs.first ?? "", expiry, document.capabilities.joined(separator: ","),
                        key.hasSecret ? "yes" : "no"]
            })
        }
    }

    struct ExportPublic: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(commandName: "export-public", abstract: "Print a public key, armoured: what we give the bank.")
        @Argument(help: "The key's full 40-hex fingerprint.") var fingerprint: String
        @OptionGroup var home: GnuPGHomeOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let key = try await home.open(try store.settings()).exportPublic(try Fingerprint(fingerprint))
            FileHandle.standardOutput.write(Data(key))
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Generate our key pair (Ed25519 signing, Curve25519 encryption).",
            discussion: "The secret key is protected by the passphrase in --passphrase-file (or $METL_SIGNING_PASSPHRASE_FILE); "
                + "--no-passphrase stores it unprotected.")
        @Option(help: "The name in the user id.") var name: String
        @Option(help: "The email address in the user id.") var email: String
        @Option(help: "Expiry: 90d, 18m, 2y or never.") var expires = "2y"
        @Flag(help: "Store the secret key without a passphrase.") var noPassphrase = false
        @OptionGroup var home: GnuPGHomeOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let passphraseFile = try home.passphrase()
            guard passphraseFile != nil || noPassphrase else {
                throw ConfigurationError(.missingValue, "give the passphrase in --passphrase-file (or $METL_SIGNING_PASSPHRASE_FILE), "
                                         + "or --no-passphrase for an unprotected key")
            }
            let gnupg = try home.open(try store.settings())
            let fingerprint = try await gnupg.generate(name: name, email: email, expires: expires,
                                                       passphraseFile: noPassphrase ? nil : passphraseFile)
            if output.json { return try Output.json(KeyDocument(try await gnupg.key(fingerprint))) }
            Output.line("generated \(fingerprint) \(name) <\(email)>, expires \(expires)")
        }
    }
}
