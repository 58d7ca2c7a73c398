import Crypto
import Foundation

/// The audit log's head (sequence, hash, time) signed with metl's Ed25519 key: kept outside the
/// database (the archive, a receiver), so a log cut back or rewritten past it is detected even by
/// someone who could write the database.
public struct AuditCheckpoint: Sendable, Hashable, Codable {
    public var sequence: Int64
    public var hash: String
    /// RFC 3339, milliseconds.
    public var at: String
    /// The signer's Ed25519 public key, base64 (32 bytes).
    public var publicKey: String
    /// Ed25519 over `message`, base64.
    public var signature: String

    enum CodingKeys: String, CodingKey { case sequence, hash, at, publicKey = "public_key", signature }

    /// What is signed: a version line, the sequence, the hash and the time.
    public var message: [UInt8] { Array("metl-audit-checkpoint-v1\n\(sequence)\n\(hash)\n\(at)".utf8) }

    /// `head` signed with `key` at `now`.
    public static func sign(sequence: Int64, hash: String, at now: Date, with key: AuditSigningKey) throws(PaymentError) -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(sequence: sequence, hash: hash, at: Timestamp.format(now), publicKey: key.publicKey, signature: "")
        do {
            checkpoint.signature = try key.privateKey().signature(for: checkpoint.message).base64EncodedString()
        } catch {
            throw PaymentError(.invalidRequest, "the audit key could not sign")
        }
        return checkpoint
    }

    /// Whether the signature holds for its own key and, when `trusted` is given, that key is the trusted one.
    public func isValid(trusting trusted: String? = nil) -> Bool {
        if let trusted, trusted != publicKey { return false }
        guard let keyBytes = Data(base64Encoded: publicKey), let signatureBytes = Data(base64Encoded: signature),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else { return false }
        return key.isValidSignature(signatureBytes, for: message)
    }
}

/// metl's Ed25519 key for signing checkpoints: a file holding the 32-byte private key, raw or as
/// base64 text (`openssl rand -base64 32`: any 32 bytes are a key).
public struct AuditSigningKey: Sendable {
    /// The raw private key; the Crypto key is made from it where it signs (it is not `Sendable`).
    private let raw: Data

    func privateKey() throws -> Curve25519.Signing.PrivateKey { try Curve25519.Signing.PrivateKey(rawRepresentation: raw) }

    public init(keyFile bytes: [UInt8]) throws(PaymentError) {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let raw: Data
        if bytes.count == 32 {
            raw = Data(bytes)
        } else if let decoded = Data(base64Encoded: text), decoded.count == 32 {
            raw = decoded
        } else {
            throw PaymentError(.invalidRequest, "the audit key file holds 32 bytes, raw or base64 (openssl rand -base64 32)")
        }
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw PaymentError(.invalidRequest, "the audit key file does not hold an Ed25519 key")
        }
        self.raw = raw
        publicKey = key.publicKey.rawRepresentation.base64EncodedString()
    }

    /// The public key, base64: what an auditor trusts.
    public let publicKey: String
}
