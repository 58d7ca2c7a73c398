import ArgumentParser
import Foundation
import MetlConfiguration
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// How an approver proves who they are for one decision: their password (from the terminal, or
/// `--password-file`) and, once enrolled in TOTP, the current code (asked for, or `--totp-code`).
struct ApproverCredentials: ParsableArguments {
    @OptionGroup var password: PasswordOptions
    @Option(help: "The current TOTP code (default: asked for on the terminal when the approver is enrolled).") var totpCode: String?
    @OptionGroup var secrets: SecretsKeyOptions

    /// Operator `name`, once their credentials are accepted; every refusal exits 10 and says the same.
    func authenticate(_ name: String, store: any LedgerStore, settings: Settings) async throws -> Operator {
        guard try await !store.operators().isEmpty else {
            throw PaymentError(.forbidden, "no operators are enrolled: an approval needs an enrolled approver (metl operators add)")
        }
        let secret = try password.password(prompt: "password for \(name): ")
        var code = totpCode
        if code == nil, isatty(STDIN_FILENO) == 1, (try? await store.operatorNamed(name))?.sealedTOTPSecret != nil {
            FileHandle.standardError.write(Data("TOTP code for \(name): ".utf8))
            code = readLine(strippingNewline: true)
        }
        // TOTP is judged by the real clock, never a demo's fixed one.
        return try await store.authenticate(name: name, password: secret, code: code,
                                            secrets: try secrets.key(settings), at: Date())
    }
}
