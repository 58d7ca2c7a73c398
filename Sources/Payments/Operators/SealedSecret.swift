import Crypto
import Foundation

/// A secret kept in the database sealed with a key that lives in a file the configuration names,
/// so a reader of the database alone cannot use it (TOTP secrets): AES-GCM, base64 of nonce,
/// ciphertext and tag.
public struct SealedSecret: Sendable {
    /// The key's bytes (SymmetricKey is not Sendable; one is made for each use).
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The key in `bytes`: 32 bytes, raw or as base64 text.
    public init(keyFile bytes: [UInt8]) throws(PaymentError) {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if bytes.count == 32 {
            keyBytes = bytes
        } else if let decoded = Data(base64Encoded: text), decoded.count == 32 {
            keyBytes = Array(decoded)
        } else {
            throw PaymentError(.invalidRequest, "the secrets key file holds 32 bytes, raw or base64 (openssl rand -base64 32)")
        }
    }

    public func seal(_ secret: [UInt8]) throws(PaymentError) -> String {
        // A 12-byte nonce (the default) always yields the combined form.
        guard let combined = try? AES.GCM.seal(secret, using: key).combined else { throw PaymentError(.invalidRequest, "cannot seal the secret") }
        return combined.base64EncodedString()
    }

    /// The secret, or an error when the key is not the one it was sealed with (or the text was changed).
    public func open(_ sealed: String) throws(PaymentError) -> [UInt8] {
        do {
            guard let data = Data(base64Encoded: sealed) else { throw PaymentError(.invalidRequest, "not a sealed secret") }
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key))
        } catch {
            throw PaymentError(.invalidRequest, "the secret cannot be opened with this key: another key, or a changed value")
        }
    }
}
