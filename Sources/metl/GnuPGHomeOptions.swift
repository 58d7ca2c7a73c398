import ArgumentParser
import MetlConfiguration
import OpenPGP

/// Where metl's GnuPG home is, and the file holding our key's passphrase.
struct GnuPGHomeOptions: ParsableArguments {
    @Option(name: .customLong("gnupg-home"), help: "GnuPG home ($METL_GNUPGHOME; default: gnupg/ next to a SQLite database).")
    var gnupgHome: String?
    @Option(help: "File holding our key's passphrase ($METL_SIGNING_PASSPHRASE_FILE; a systemd credential is such a file).")
    var passphraseFile: String?

    var flags: GnuPGHomeFlags { GnuPGHomeFlags(gnupgHome: gnupgHome, passphraseFile: passphraseFile) }

    func open(_ settings: Settings) throws -> GnuPG {
        try settings.gnupg(flags, layers: .process, logger: Log.make("metl.openpgp", json: false))
    }

    func existing(_ settings: Settings) throws -> GnuPG? {
        try settings.existingGnuPG(flags, layers: .process, logger: Log.make("metl.openpgp", json: false))
    }

    func passphrase() throws -> String? {
        try flags.readablePassphraseFile(layers: .process)
    }
}
