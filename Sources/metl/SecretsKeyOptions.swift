import ArgumentParser
import MetlConfiguration
import Payments

/// The key that seals operators' TOTP secrets: `--secrets-key-file`, else `METL_SECRETS_KEY_FILE`.
struct SecretsKeyOptions: ParsableArguments {
    @Option(help: "The file holding the key that seals TOTP secrets (default: $METL_SECRETS_KEY_FILE).") var secretsKeyFile: String?

    /// The key, or nil when none is named.
    func key(_ settings: Settings) throws -> SealedSecret? { try settings.secretsKey(secretsKeyFile, layers: .process) }
}
