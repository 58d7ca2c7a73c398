import Foundation
import OpenPGP
import Payments

/// How a destination's files are sealed with OpenPGP before upload: encrypted to the bank's key,
/// optionally signed with ours (its passphrase in a file), armoured or binary, with a suffix on
/// the uploaded name. The cutoff seals a file once, after its plaintext passed the renderer's
/// strict read-back, and archives both; every upload sends the sealed bytes it archived, since
/// sealing again would give other bytes.
public struct OpenPGPSealing: Sendable {
    public var gnupg: GnuPG
    public var recipient: Fingerprint
    public var signer: Fingerprint?
    public var passphraseFile: String?
    public var armored: Bool
    /// Added to the file name: `.pgp`, `.gpg` or `.asc`.
    public var suffix: String

    /// Keys expiring sooner than this are an alert on every cutoff.
    public static let expiryWarning: TimeInterval = 30 * 86_400

    public init(gnupg: GnuPG, recipient: Fingerprint, signer: Fingerprint?, passphraseFile: String?, armored: Bool = false,
                suffix: String? = nil) {
        self.gnupg = gnupg
        self.recipient = recipient
        self.signer = signer
        self.passphraseFile = passphraseFile
        self.armored = armored
        self.suffix = suffix ?? (armored ? ".asc" : ".pgp")
    }

    /// Refuses keys that cannot seal now (not in the home, expired, revoked, a signer without its
    /// secret key) before anything is rendered or uploaded; returns an alert for each key that
    /// expires within `expiryWarning`.
    public func check(at now: Date) async throws(PipelineError) -> [String] {
        do {
            let keys = try await gnupg.keys()
            var alerts: [String] = []
            for (role, fingerprint, capability) in [("recipient", recipient, OpenPGPKey.Capabilities.encrypt)]
                + (signer.map { [("signing", $0, OpenPGPKey.Capabilities.sign)] } ?? []) {
                guard let key = keys.first(where: { $0.fingerprint == fingerprint }) else {
                    throw PipelineError(.configuration, "the \(role) key \(fingerprint) is not in the GnuPG home \(gnupg.home)")
                }
                if key.isDead(at: now) {
                    throw PipelineError(.configuration, "the \(role) key \(fingerprint) is \(key.revoked ? "revoked" : "expired"); "
                                        + "nothing was sent")
                }
                guard key.capabilities.contains(capability) else {
                    throw PipelineError(.configuration, "the \(role) key \(fingerprint) cannot \(capability == .encrypt ? "encrypt" : "sign")")
                }
                if role == "signing", !key.hasSecret {
                    throw PipelineError(.configuration, "the GnuPG home has no secret key for the signing key \(fingerprint)")
                }
                if key.expiresSoon(at: now, within: Self.expiryWarning), let expires = key.expires {
                    alerts.append("the \(role) key \(fingerprint) expires on \(Timestamp.format(expires))")
                }
            }
            return alerts
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(.configuration, "cannot read the GnuPG home: \(error)")
        }
    }

    /// `plaintext` sealed for the bank, carrying `name` inside.
    func seal(_ plaintext: [UInt8], name: String, at now: Date) async throws(PipelineError) -> [UInt8] {
        do {
            return try await gnupg.encrypt(plaintext, name: name, to: recipient, signedBy: signer, passphraseFile: passphraseFile,
                                           armored: armored, now: now)
        } catch {
            throw PipelineError(error.code == .gnupgFailed ? .internal : .configuration, "cannot seal \(name): \(error)")
        }
    }
}
