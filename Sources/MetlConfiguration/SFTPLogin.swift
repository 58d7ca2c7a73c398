import Pipeline

extension Layers {
    /// The SFTP login from the flags, else the environment: `--identity-file`/`METL_IDENTITY_FILE`
    /// (passphrase only in `METL_IDENTITY_PASSPHRASE`), `METL_SFTP_PASSWORD`, `--known-hosts`/`METL_KNOWN_HOSTS`.
    public func sftpLogin(identityFile: String?, knownHosts: String?) -> DestinationURL.SFTPSettings {
        DestinationURL.SFTPSettings(identityFile: value(identityFile, "METL_IDENTITY_FILE"),
                                    identityPassphrase: value(nil, "METL_IDENTITY_PASSPHRASE"), password: value(nil, "METL_SFTP_PASSWORD"),
                                    knownHosts: value(knownHosts, "METL_KNOWN_HOSTS"))
    }

    /// Where each SFTP setting comes from, appended to a refusal of a destination.
    static let sftpHint = " (SFTP settings: --known-hosts or METL_KNOWN_HOSTS; --identity-file or METL_IDENTITY_FILE, "
        + "with METL_IDENTITY_PASSPHRASE; or METL_SFTP_PASSWORD)"
}
