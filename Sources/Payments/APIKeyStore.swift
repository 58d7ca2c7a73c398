/// Storage of API keys, implemented next to the payments by the same store.
public protocol APIKeyStore: Sendable {
    /// Creates a key for the merchant; returns it with its secret, which is not stored.
    func createAPIKey(merchantID: String) async throws -> (key: APIKey, secret: String)
    func apiKeys(merchantID: String) async throws -> [APIKey]
    /// Revokes a key (`notFound` when the merchant has no such key); revoking twice is harmless.
    func revokeAPIKey(id: String, merchantID: String) async throws -> APIKey
    /// The merchant whose unrevoked key has this secret, or nil.
    func authenticate(secret: String) async throws -> Merchant?
}
