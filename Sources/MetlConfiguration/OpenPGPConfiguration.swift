import Foundation
import Logging
import OpenPGP
import Pipeline

/// Where metl's GnuPG home is and which file holds our key's passphrase, as flags (nil: not given).
public struct GnuPGHomeFlags: Sendable {
    public var gnupgHome: String?
    public var passphraseFile: String?

    public init(gnupgHome: String? = nil, passphraseFile: String? = nil) {
        self.gnupgHome = gnupgHome
        self.passphraseFile = passphraseFile
    }

    /// The passphrase file, checked readable now so a typo is a configuration error, not a gpg failure.
    public func readablePassphraseFile(layers: Layers) throws(ConfigurationError) -> String? {
        guard let file = layers.value(passphraseFile, "METL_SIGNING_PASSPHRASE_FILE") else { return nil }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ConfigurationError(.unreadableFile, "cannot read the passphrase file \(file)")
        }
        return file
    }
}

/// How the cutoff seals what it sends, as flags: a recipient turns sealing on, for every kind it sends.
public struct SealingFlags: Sendable {
    public var encryptTo: String?
    public var signWith: String?
    public var armor = false
    public var suffix: String?
    public var home = GnuPGHomeFlags()

    public init(encryptTo: String? = nil, signWith: String? = nil, armor: Bool = false, suffix: String? = nil, home: GnuPGHomeFlags = .init()) {
        self.encryptTo = encryptTo
        self.signWith = signWith
        self.armor = armor
        self.suffix = suffix
        self.home = home
    }
}

extension Settings {
    public func gnupg(_ flags: GnuPGHomeFlags, layers: Layers, logger: Logger) throws -> GnuPG {
        try GnuPG(home: try gnupgHomeDirectory(flags.gnupgHome, layers: layers), logger: logger)
    }

    /// The home when there is one: named, or the default one `metl keys` made. Commands that only
    /// read keys (ingest, reconcile) do not create it.
    public func existingGnuPG(_ flags: GnuPGHomeFlags, layers: Layers, logger: Logger) throws -> GnuPG? {
        let named = layers.value(flags.gnupgHome, "METL_GNUPGHOME") != nil
        guard let home = try? gnupgHomeDirectory(flags.gnupgHome, layers: layers), named || FileManager.default.fileExists(atPath: home) else {
            return nil
        }
        return try gnupg(flags, layers: layers, logger: logger)
    }

    /// The sealing the flags (else their variables, else the bank profile's keys) ask for, or nil
    /// when nothing is to be encrypted.
    public func sealing(_ flags: SealingFlags, profile keys: ProfileConfiguration.OpenPGPKeys?, layers: Layers,
                        logger: Logger) throws -> OpenPGPSealing? {
        let signer = layers.value(flags.signWith, "METL_SIGN_WITH") ?? keys?.signWith?.hex
        guard let recipient = layers.value(flags.encryptTo, "METL_ENCRYPT_TO") ?? keys?.encryptTo?.hex else {
            guard signer == nil else {
                throw ConfigurationError(.conflict, "--sign-with (or $METL_SIGN_WITH) needs --encrypt-to (or $METL_ENCRYPT_TO)")
            }
            return nil
        }
        let armored = layers.isOn(flags.armor, "METL_PGP_ARMOR") || keys?.armored == true
        let suffix = layers.value(flags.suffix, "METL_PGP_SUFFIX") ?? keys?.suffix
        guard suffix.map(OpenPGPSealing.suffixes.contains) ?? true else {
            throw ConfigurationError(.invalidValue, "the suffix of sealed files is one of \(OpenPGPSealing.suffixes.joined(separator: ", "))",
                                     isUsage: true)
        }
        do {
            return OpenPGPSealing(gnupg: try gnupg(flags.home, layers: layers, logger: logger), recipient: try Fingerprint(recipient),
                                  signer: try signer.map { try Fingerprint($0) },
                                  passphraseFile: try flags.home.readablePassphraseFile(layers: layers), armored: armored, suffix: suffix)
        } catch let error as OpenPGPError {
            throw ConfigurationError(.invalidValue, "--encrypt-to/--sign-with: \(error)")
        }
    }

    /// How OpenPGP files from the bank are opened: with metl's GnuPG home when there is one (named,
    /// or gnupg/ next to a SQLite database once `metl keys` made it), and the signer the flag (else
    /// `METL_INBOUND_SIGNER`, else the profile) requires.
    public func opening(requireSigner: String?, home: GnuPGHomeFlags, profile keys: ProfileConfiguration.OpenPGPKeys?,
                        layers: Layers, logger: Logger) throws -> OpenPGPOpening? {
        let signer: Fingerprint?
        do {
            signer = try layers.value(requireSigner, "METL_INBOUND_SIGNER").map { try Fingerprint($0) } ?? keys?.inboundSigner
        } catch {
            throw ConfigurationError(.invalidValue, "--require-signer (or $METL_INBOUND_SIGNER): \(error)")
        }
        guard let gnupg = try existingGnuPG(home, layers: layers, logger: logger) else {
            guard signer == nil else {
                throw ConfigurationError(.missingValue, "--require-signer needs a GnuPG home (--gnupg-home or $METL_GNUPGHOME)")
            }
            return nil
        }
        return OpenPGPOpening(gnupg: gnupg, passphraseFile: try home.readablePassphraseFile(layers: layers), requiredSigner: signer)
    }
}
