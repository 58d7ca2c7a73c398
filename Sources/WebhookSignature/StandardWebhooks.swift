/// The Standard Webhooks signature scheme (standardwebhooks.com), shared by metl's sender and the
/// receiver kit: secrets `whsec_` + base64 key bytes; signature `v1,` + base64 HMAC-SHA256 over
/// `{id}.{timestamp}.{body}`; several signatures space-separated during a secret rotation.
import Crypto
import Foundation

public enum StandardWebhooks {
    public static let secretPrefix = "whsec_"
    /// Key sizes accepted for secrets, in bytes.
    public static let keySizes = 24...64

    /// A new secret of `byteCount` random bytes.
    public static func makeSecret(byteCount: Int = 32) -> String {
        precondition(keySizes.contains(byteCount), "secrets are 24 to 64 bytes")
        var generator = SystemRandomNumberGenerator()
        return secretPrefix + Data((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// The key bytes of a `whsec_` secret, or nil when it is not one.
    public static func key(secret: String) -> SymmetricKey? {
        guard secret.hasPrefix(secretPrefix), let bytes = Data(base64Encoded: String(secret.dropFirst(secretPrefix.count))),
              keySizes.contains(bytes.count) else { return nil }
        return SymmetricKey(data: bytes)
    }

    /// What is signed: `{id}.{timestamp}.{body}` as bytes.
    static func signedContent(id: String, timestamp: Int, body: some DataProtocol) -> Data {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return content
    }

    /// `v1,<base64 mac>` for one secret; nil when the secret is malformed.
    public static func signature(id: String, timestamp: Int, body: some DataProtocol, secret: String) -> String? {
        guard let key = key(secret: secret) else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: signedContent(id: id, timestamp: timestamp, body: body), using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header value: one `v1` signature per secret, space-separated.
    public static func signatureHeader(id: String, timestamp: Int, body: some DataProtocol, secrets: [String]) -> String {
        secrets.compactMap { signature(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// True when any `v1` signature in `header` is a valid MAC of the content under `secret`. The MAC
    /// check is constant-time (swift-crypto's `isValidAuthenticationCode`).
    public static func isValid(header: String, id: String, timestamp: Int, body: some DataProtocol, secret: String) -> Bool {
        guard let key = key(secret: secret) else { return false }
        let content = signedContent(id: id, timestamp: timestamp, body: body)
        for candidate in header.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let mac = Data(base64Encoded: String(parts[1])) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: key) { return true }
        }
        return false
    }
}
