import ArgumentParser
import OpenPGP
import Pipeline

/// How the cutoff seals what it sends: `--encrypt-to` turns it on, for every kind it sends.
struct SealingOptions: ParsableArguments {
    @Option(help: "Encrypt every file to this bank key, by its full fingerprint ($METL_ENCRYPT_TO).") var encryptTo: String?
    @Option(help: "Sign every file with our key, by its full fingerprint ($METL_SIGN_WITH).") var signWith: String?
    @Flag(help: "ASCII-armour the sealed files ($METL_PGP_ARMOR=true; default binary).") var pgpArmor = false
    @Option(help: "Suffix of sealed file names: .pgp, .gpg or .asc ($METL_PGP_SUFFIX; default .pgp, .asc when armoured).")
    var pgpSuffix: String?
    @OptionGroup var home: GnuPGHomeOptions

    /// The sealing these options ask for, or nil when nothing is to be encrypted.
    func sealing(database: String) throws -> OpenPGPSealing? {
        guard let recipient = value(encryptTo, "METL_ENCRYPT_TO") else {
            guard value(signWith, "METL_SIGN_WITH") == nil else {
                throw ConfigurationError(message: "--sign-with (or $METL_SIGN_WITH) needs --encrypt-to (or $METL_ENCRYPT_TO)")
            }
            return nil
        }
        let armored = pgpArmor || value(nil, "METL_PGP_ARMOR") == "true"
        let suffix = value(pgpSuffix, "METL_PGP_SUFFIX")
        guard suffix.map({ [".pgp", ".gpg", ".asc"].contains($0) }) ?? true else {
            throw ConfigurationError(message: "the suffix of sealed files is .pgp, .gpg or .asc", isUsage: true)
        }
        do {
            return OpenPGPSealing(gnupg: try home.open(database: database), recipient: try Fingerprint(recipient),
                                  signer: try value(signWith, "METL_SIGN_WITH").map { try Fingerprint($0) },
                                  passphraseFile: try home.passphrase(), armored: armored, suffix: suffix)
        } catch let error as OpenPGPError {
            throw ConfigurationError(message: "--encrypt-to/--sign-with: \(error)")
        }
    }
}
