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

    /// The sealing these options ask for, else the bank profile's keys, or nil when nothing is to be encrypted.
    func sealing(database: String, profile keys: ProfileConfiguration.OpenPGPKeys? = nil) throws -> OpenPGPSealing? {
        let signer = value(signWith, "METL_SIGN_WITH") ?? keys?.signWith?.hex
        guard let recipient = value(encryptTo, "METL_ENCRYPT_TO") ?? keys?.encryptTo?.hex else {
            guard signer == nil else {
                throw ConfigurationError(message: "--sign-with (or $METL_SIGN_WITH) needs --encrypt-to (or $METL_ENCRYPT_TO)")
            }
            return nil
        }
        let armored = pgpArmor || value(nil, "METL_PGP_ARMOR") == "true" || keys?.armored == true
        let suffix = value(pgpSuffix, "METL_PGP_SUFFIX") ?? keys?.suffix
        guard suffix.map({ [".pgp", ".gpg", ".asc"].contains($0) }) ?? true else {
            throw ConfigurationError(message: "the suffix of sealed files is .pgp, .gpg or .asc", isUsage: true)
        }
        do {
            return OpenPGPSealing(gnupg: try home.open(database: database), recipient: try Fingerprint(recipient),
                                  signer: try signer.map { try Fingerprint($0) },
                                  passphraseFile: try home.passphrase(), armored: armored, suffix: suffix)
        } catch let error as OpenPGPError {
            throw ConfigurationError(message: "--encrypt-to/--sign-with: \(error)")
        }
    }
}
