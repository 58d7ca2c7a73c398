import ArgumentParser
import MetlConfiguration

/// How the cutoff seals what it sends: `--encrypt-to` turns it on, for every kind it sends.
struct SealingOptions: ParsableArguments {
    @Option(help: "Encrypt every file to this bank key, by its full fingerprint ($METL_ENCRYPT_TO).") var encryptTo: String?
    @Option(help: "Sign every file with our key, by its full fingerprint ($METL_SIGN_WITH).") var signWith: String?
    @Flag(help: "ASCII-armour the sealed files ($METL_PGP_ARMOR=true; default binary).") var pgpArmor = false
    @Option(help: "Suffix of sealed file names: .pgp, .gpg or .asc ($METL_PGP_SUFFIX; default .pgp, .asc when armoured).")
    var pgpSuffix: String?
    @OptionGroup var home: GnuPGHomeOptions

    var flags: SealingFlags { SealingFlags(encryptTo: encryptTo, signWith: signWith, armor: pgpArmor, suffix: pgpSuffix, home: home.flags) }
}
