import ArgumentParser
import Foundation
import OpenPGP

/// Where metl's GnuPG home is, and the file holding our key's passphrase.
struct GnuPGHomeOptions: ParsableArguments {
    @Option(name: .customLong("gnupg-home"), help: "GnuPG home ($METL_GNUPGHOME; default: gnupg/ next to a SQLite database).")
    var gnupgHome: String?
    @Option(help: "File holding our key's passphrase ($METL_SIGNING_PASSPHRASE_FILE; a systemd credential is such a file).")
    var passphraseFile: String?

    func open(database: String) throws -> GnuPG {
        try GnuPG(home: try gnupgHomeDirectory(gnupgHome, database: database), logger: Log.make("metl.openpgp", json: false))
    }

    /// The home when there is one: named, or the default one `metl keys` made. Commands that only
    /// read keys (ingest, reconcile) do not create it.
    func existing(database: String) throws -> GnuPG? {
        let named = value(gnupgHome, "METL_GNUPGHOME") != nil
        guard let home = try? gnupgHomeDirectory(gnupgHome, database: database), named || FileManager.default.fileExists(atPath: home) else {
            return nil
        }
        return try open(database: database)
    }

    /// The passphrase file, checked readable now so a typo is a configuration error, not a gpg failure.
    func passphrase() throws -> String? {
        guard let file = value(passphraseFile, "METL_SIGNING_PASSPHRASE_FILE") else { return nil }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ConfigurationError(message: "cannot read the passphrase file \(file)")
        }
        return file
    }
}
