import Foundation
import Subprocess
import SystemPackage

/// Encrypting and signing what goes to a bank, decrypting and verifying what comes back.
extension GnuPG {
    /// `plaintext` encrypted to `recipient` and, with `signer`, signed by our key (its passphrase in
    /// `passphraseFile`), armoured or binary. `name` is the file name carried inside the message.
    /// A recipient that is not in the home, is expired or revoked, or cannot encrypt is refused
    /// before anything runs; so is a signer without its secret key.
    public func encrypt(_ plaintext: [UInt8], name: String, to recipient: Fingerprint, signedBy signer: Fingerprint?,
                        passphraseFile: String?, armored: Bool, now: Date = Date()) async throws(OpenPGPError) -> [UInt8] {
        let keys = try await keys()
        try Self.usable(recipient, in: keys, for: .encrypt, at: now)
        var arguments = ["--trust-model", "always", "--recipient", recipient.hex, "--encrypt", "--set-filename", name, "--output", "-"]
        if let signer {
            try Self.usable(signer, in: keys, for: .sign, at: now)
            arguments += ["--sign", "--local-user", signer.hex]
        }
        if armored { arguments.insert("--armor", at: 0) }
        let run = try await run(arguments, input: plaintext, passphraseFile: passphraseFile)
        guard run.succeeded, run.status.contains("END_ENCRYPTION"), !run.output.isEmpty else {
            throw Self.failure(of: run, doing: "encrypt to \(recipient)")
        }
        return run.output
    }

    /// Decrypts `data` with our key (its passphrase in `passphraseFile`) and reports its signature.
    /// Data encrypted to keys we do not hold, damaged data, or data that is not OpenPGP is refused;
    /// a bad or unknown signature is reported, not thrown, so the caller's policy decides.
    public func decrypt(_ data: [UInt8], passphraseFile: String?) async throws(OpenPGPError) -> Decrypted {
        var plaintext: [UInt8] = []
        let opened = try await decrypt(input: .array(data), passphraseFile: passphraseFile, plaintextLimit: Self.outputLimit) {
            plaintext.append(contentsOf: $0)
        }
        return Decrypted(plaintext: plaintext, wasEncrypted: opened.wasEncrypted, signature: opened.signature)
    }

    /// Decrypts the file at `path` as `decrypt(_:passphraseFile:)` does, streaming: the plaintext
    /// goes to `sink` a piece at a time, so memory stays bounded whatever the message expands to.
    /// A plaintext longer than `plaintextLimit` stops `gpg` there and is refused (`tooLarge`);
    /// `sink` never sees a byte past the limit. What `sink` was given counts only when this returns.
    public func decrypt(file path: String, passphraseFile: String?, plaintextLimit: Int64,
                        into sink: (UnsafeRawBufferPointer) throws -> Void) async throws(OpenPGPError) -> DecryptedStream {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
        } catch {
            throw OpenPGPError(.gnupgFailed, "cannot read \(path): \(error)")
        }
        return try await decrypt(input: .fileDescriptor(descriptor, closeAfterSpawningProcess: true), passphraseFile: passphraseFile,
                                 plaintextLimit: plaintextLimit, into: sink)
    }

    private func decrypt<Input: InputProtocol>(input: Input, passphraseFile: String?, plaintextLimit: Int64,
                                               into sink: (UnsafeRawBufferPointer) throws -> Void) async throws(OpenPGPError) -> DecryptedStream {
        let run = try await run(["--trust-model", "always", "--decrypt", "--output", "-"], input: input, passphraseFile: passphraseFile,
                                outputLimit: plaintextLimit, sink: sink)
        if run.overflowed {
            throw OpenPGPError(.tooLarge, "the decrypted plaintext passes the limit of \(plaintextLimit) bytes; decryption was stopped there")
        }
        let status = run.status
        if status.contains("NO_SECKEY") && !status.contains("DECRYPTION_OKAY") {
            let recipients = status.filter { $0.keyword == "NO_SECKEY" }.compactMap(\.arguments.first)
            throw OpenPGPError(.noSecretKey, "encrypted to keys this home does not hold (\(recipients.joined(separator: ", ")))")
        }
        if Self.passphraseRefused(status) {
            throw OpenPGPError(.badPassphrase, "the passphrase of our key was refused, or none was given")
        }
        // Encrypted data counts only with DECRYPTION_OKAY (its integrity check passed to the end);
        // signed-only data only with its plaintext and a run that did not fail for another reason
        // than its signature.
        let wasEncrypted = status.contains("BEGIN_DECRYPTION") || status.contains("ENC_TO")
        let signature = Self.signature(in: status)
        guard !status.contains("DECRYPTION_FAILED"), !status.contains("NODATA"),
              wasEncrypted ? status.contains("DECRYPTION_OKAY") : status.contains("PLAINTEXT"),
              run.succeeded || signature != .none else {
            throw OpenPGPError(.invalidData, "not OpenPGP data, or damaged: \(run.diagnostics)")
        }
        return DecryptedStream(wasEncrypted: wasEncrypted, signature: signature)
    }

    /// The signature a run's status reports (the first one, which is all a bank's file carries).
    static func signature(in status: [StatusLine]) -> Decrypted.Signature {
        for line in status {
            switch line.keyword {
            case "VALIDSIG":
                // The primary key's fingerprint is the last argument; the signing (sub)key's is the first.
                guard let fingerprint = (line.arguments.last).flatMap({ try? Fingerprint($0) }) else { continue }
                if status.contains("EXPKEYSIG") || status.contains("REVKEYSIG") { return .deadKey(fingerprint) }
                return .good(fingerprint)
            case "BADSIG":
                return .bad(keyID: line.arguments.first ?? "")
            case "ERRSIG":
                // `ERRSIG keyid pkalgo hashalgo class time rc [fpr]`: rc 9 is a missing public key.
                let keyID = line.arguments.first ?? ""
                return line.arguments.count > 5 && line.arguments[5] == "9" ? .unknownKey(keyID: keyID) : .bad(keyID: keyID)
            default:
                continue
            }
        }
        return .none
    }

    /// The key with `fingerprint` among `keys` (the home's), refused unless it is alive at `now`
    /// and able to do `capability`; signing needs its secret part too.
    @discardableResult
    public static func usable(_ fingerprint: Fingerprint, in keys: [OpenPGPKey], for capability: OpenPGPKey.Capabilities,
                              at now: Date) throws(OpenPGPError) -> OpenPGPKey {
        guard let key = keys.first(where: { $0.fingerprint == fingerprint }) else {
            throw OpenPGPError(.unknownKey, "no key \(fingerprint) in the GnuPG home")
        }
        if key.revoked { throw OpenPGPError(.unusableKey, "key \(fingerprint) is revoked") }
        if let expires = key.expires, expires <= now {
            throw OpenPGPError(.unusableKey, "key \(fingerprint) expired on \(ISO8601DateFormatter().string(from: expires))")
        }
        guard key.capabilities.contains(capability) else {
            throw OpenPGPError(.unusableKey, "key \(fingerprint) cannot \(capability == .encrypt ? "encrypt" : "sign")")
        }
        guard capability != .sign || key.hasSecret else {
            throw OpenPGPError(.unknownKey, "no secret key \(fingerprint) in the GnuPG home to sign with")
        }
        return key
    }

    /// Whether the secret key could not be unlocked: a `BAD_PASSPHRASE` line, or an `ERROR` or `FAILURE` whose
    /// libgpg-error code (the low 16 bits) is a bad passphrase (11), no pinentry (85), cancelled
    /// (99) or no passphrase (177).
    static func passphraseRefused(_ status: [StatusLine]) -> Bool {
        status.contains("BAD_PASSPHRASE") || status.contains { line in
            (line.keyword == "ERROR" || line.keyword == "FAILURE") && line.arguments.count > 1
                && [11, 85, 99, 177].contains((Int(line.arguments[1]) ?? 0) & 0xFFFF)
        }
    }

    /// The most precise refusal a failed run's status allows.
    static func failure(of run: Run, doing what: String) -> OpenPGPError {
        if passphraseRefused(run.status) {
            return OpenPGPError(.badPassphrase, "cannot \(what): the passphrase of our key was refused, or none was given")
        }
        if run.status.contains("INV_RECP") || run.status.contains("INV_SGNR") {
            return OpenPGPError(.unusableKey, "cannot \(what): gpg refused the key (\(run.diagnostics))")
        }
        return OpenPGPError(.gnupgFailed, "cannot \(what): \(run.diagnostics)")
    }
}
