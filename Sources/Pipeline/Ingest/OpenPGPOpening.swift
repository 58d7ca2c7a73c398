import OpenPGP
import Payments

/// How ingest opens an OpenPGP file from the bank: decrypted with our key (its passphrase in a
/// file), and, when `requiredSigner` is set, accepted only with a good signature by that key.
/// What it refuses is quarantined with the precise reason and nothing of it is applied.
public struct OpenPGPOpening: Sendable {
    public var gnupg: GnuPG
    public var passphraseFile: String?
    /// The bank's signing key, by full fingerprint: a file not signed by it is refused.
    public var requiredSigner: Fingerprint?

    public init(gnupg: GnuPG, passphraseFile: String?, requiredSigner: Fingerprint?) {
        self.gnupg = gnupg
        self.passphraseFile = passphraseFile
        self.requiredSigner = requiredSigner
    }

    /// How a quarantine reason starts when a signer is required and the file carries no signature,
    /// or another key's: operators (and `metl reconcile`) tell the two apart by it.
    public static let unsignedReason = "unsigned"
    public static let wrongSignerReason = "wrong_signer"

    /// What opening a file gave: its plaintext (in `plaintext`, not yet committed) and signer, or
    /// why it is refused.
    enum Result {
        case opened(signer: Fingerprint?)
        case refused(String)
    }

    /// Opens the sealed file at `path`, streaming its plaintext into `plaintext` (an archive file
    /// being written) so memory stays bounded; a plaintext past `plaintextLimit` bytes is refused,
    /// nothing beyond the limit written. A passphrase our key refuses is not the file's fault: it
    /// throws (configuration), and the file waits at its source for a run that can read it.
    func open(_ path: String, into plaintext: Archive.Writer, plaintextLimit: Int64) async throws(PipelineError) -> Result {
        let decrypted: DecryptedStream
        do {
            decrypted = try await gnupg.decrypt(file: path, passphraseFile: passphraseFile, plaintextLimit: plaintextLimit) { piece in
                try plaintext.append(piece)
            }
        } catch {
            switch error.code {
            case .tooLarge, .noSecretKey: return .refused("OpenPGP: \(error.message)")
            case .invalidData: return .refused("OpenPGP data that cannot be decrypted: damaged, or not a message")
            case .badPassphrase: throw PipelineError(.configuration, "cannot decrypt an OpenPGP file from the bank: \(error.message)")
            default: throw PipelineError(.internal, "cannot decrypt an OpenPGP file from the bank: \(error.message)")
            }
        }
        let signer: Fingerprint?
        switch decrypted.signature {
        case .good(let fingerprint): signer = fingerprint
        case .none: signer = nil
        case .bad(let keyID): return .refused("OpenPGP: the signature by key \(keyID) does not verify: the file was altered")
        case .unknownKey(let keyID):
            return .refused((requiredSigner == nil ? "OpenPGP" : Self.wrongSignerReason) + ": signed by key \(keyID), which is not in the GnuPG home"
                            + (requiredSigner.map { "; the bank's key is \($0)" } ?? ""))
        case .deadKey(let fingerprint): return .refused("OpenPGP: signed by \(fingerprint), a key that has expired or been revoked")
        }
        if let requiredSigner {
            guard let signer else {
                return .refused("\(Self.unsignedReason): OpenPGP message not signed; a signature by the bank's key \(requiredSigner) is required")
            }
            guard signer == requiredSigner else {
                return .refused("\(Self.wrongSignerReason): OpenPGP message signed by \(signer), not by the bank's key \(requiredSigner)")
            }
        }
        guard decrypted.wasEncrypted || requiredSigner != nil else {
            return .refused("OpenPGP: signed but not encrypted, and no signer is required to vouch for it")
        }
        return .opened(signer: signer)
    }
}
