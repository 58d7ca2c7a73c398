import Foundation

/// A merchant's API key as listed: its id, a hint of the secret and whether it still works. The
/// secret itself is shown once when the key is created and stored only as a SHA-256 hash.
public struct APIKey: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    /// The secret's prefix and last four characters, enough to tell keys apart.
    public var hint: String
    public var createdAt: Date
    public static let idPrefix = "key"
    public var revokedAt: Date?

    public init(id: String, merchantID: String, hint: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.merchantID = merchantID
        self.hint = hint
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Secrets are `metl_sk_` and 43 base64url characters of 32 random bytes.
    public static let secretPrefix = "metl_sk_"

    public static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Base64URL.encode(bytes)
    }

    /// What the store keeps and looks secrets up by.
    public static func hash(secret: String) -> String { SHA256Digest.hex(Array(secret.utf8)) }

    public static func hint(secret: String) -> String { secretPrefix + "…" + secret.suffix(4) }

    /// A new key for the merchant and its secret, which only its hash (`hash(secret:)`) is stored as.
    public static func generate(merchantID: String, at now: Date = Date()) -> (key: APIKey, secret: String) {
        let secret = makeSecret()
        return (APIKey(id: Identifier.make(prefix: APIKey.idPrefix), merchantID: merchantID, hint: hint(secret: secret), createdAt: now,
                       revokedAt: nil), secret)
    }
}
