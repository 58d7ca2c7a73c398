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
    /// Added to the file name: one of `suffixes`.
    public var suffix: String

    /// The suffixes banks' systems recognise as an OpenPGP message.
    public static let suffixes = [".pgp", ".gpg", ".asc"]

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

    /// Refuses keys that cannot seal now (`GnuPG.usable`: not in the home, expired, revoked, a
    /// signer without its secret key) before anything is rendered or uploaded; returns an alert
    /// for each key that expires within `expiryWarning`.
    public func check(at now: Date) async throws(PipelineError) -> [String] {
        let keys: [OpenPGPKey]
        do {
            keys = try await gnupg.keys()
        } catch {
            throw PipelineError(.configuration, "cannot read the GnuPG home \(gnupg.home): \(error)")
        }
        var alerts: [String] = []
        for (role, fingerprint, capability) in [("recipient", recipient, OpenPGPKey.Capabilities.encrypt)]
            + (signer.map { [("signing", $0, OpenPGPKey.Capabilities.sign)] } ?? []) {
            let key: OpenPGPKey
            do {
                key = try GnuPG.usable(fingerprint, in: keys, for: capability, at: now)
            } catch {
                throw PipelineError(.configuration, "the \(role) key: \(error.message); nothing was sent")
            }
            if key.expiresSoon(at: now, within: Self.expiryWarning), let expires = key.expires {
                alerts.append("the \(role) key \(fingerprint) expires on \(Timestamp.format(expires))")
            }
        }
        return alerts
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
