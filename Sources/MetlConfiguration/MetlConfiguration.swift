/// The MetlConfiguration module owns how metl's settings are resolved: from the command-line flags,
/// then the `METL_*` environment variables, then the JSON configuration file (`Settings`, its bank
/// profiles `ProfileConfiguration`), then the defaults, into the typed settings the libraries take:
/// `CutoffJob.Settings` per profile, `IngestConfiguration`, `ServeConfiguration` (`APIConfiguration`),
/// `WebhookSettings`, the store to open, the archive and GnuPG home, OpenPGP sealing and opening.
/// Every rule about settings is here once (a merchant in one profile only, Positive Pay through the
/// default profile only, one origin and destination per profile, a `--window` that still fits every
/// window), and every problem is reported at once at its key as a `ConfigurationError`.
///
/// The executable passes its flags (`CutoffFlags`, …) and its environment (`Layers`) in; this module
/// reads no environment variable itself and prints nothing. It does not use apple/swift-configuration:
/// that resolves one key at a time from its providers, while metl reports every problem of a file at
/// once and refuses a key nothing reads (a typo), which `ConfigurationTable` does.
public enum MetlConfiguration {}
