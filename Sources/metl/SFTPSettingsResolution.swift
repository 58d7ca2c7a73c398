import Pipeline

extension DestinationURL.SFTPSettings {
    /// The SFTP login from the flags, else the environment: `--identity-file`/`METL_IDENTITY_FILE`
    /// (passphrase only in `METL_IDENTITY_PASSPHRASE`), `METL_SFTP_PASSWORD`, `--known-hosts`/`METL_KNOWN_HOSTS`.
    static func resolved(identityFile: String?, knownHosts: String?, environment: [String: String]) -> Self {
        func given(_ values: String?...) -> String? { values.lazy.compactMap { $0 }.first { !$0.isEmpty } }
        return Self(identityFile: given(identityFile, environment["METL_IDENTITY_FILE"]),
                    identityPassphrase: given(environment["METL_IDENTITY_PASSPHRASE"]), password: given(environment["METL_SFTP_PASSWORD"]),
                    knownHosts: given(knownHosts, environment["METL_KNOWN_HOSTS"]))
    }

    /// Where each SFTP setting comes from, appended to a refusal of the destination.
    static let hint = " (SFTP settings: --known-hosts or METL_KNOWN_HOSTS; --identity-file or METL_IDENTITY_FILE, "
        + "with METL_IDENTITY_PASSPHRASE; or METL_SFTP_PASSWORD)"
}
