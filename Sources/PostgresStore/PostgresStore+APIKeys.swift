import Foundation
import Payments
import PostgresNIO

extension PostgresStore: APIKeyStore {
    public func createAPIKey(merchantID: String) async throws -> (key: APIKey, secret: String) {
        let (key, secret) = APIKey.generate(merchantID: merchantID)
        try await transaction("creating an API key", audit: AuditRecord(action: .apiKeyChanged, subjects: [merchantID], detail: "created")) { session in
            guard try await session.value("SELECT 1 FROM merchants WHERE id = \(merchantID)", as: Int32.self) != nil else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchantID)")
            }
            try await session.count("""
                INSERT INTO api_keys (id, merchant_id, secret_sha256, hint, created_at)
                VALUES (\(key.id), \(merchantID), \(APIKey.hash(secret: secret)), \(key.hint), \(Self.milliseconds(key.createdAt)))
                """)
        }
        return (key, secret)
    }

    public func apiKeys(merchantID: String) async throws -> [APIKey] {
        try await read("listing API keys") { session in
            try await session.rows("""
                SELECT \(unescaped: APIKey.columnList) FROM api_keys WHERE merchant_id = \(merchantID) ORDER BY id
                """).map(APIKey.init(_:))
        }
    }

    public func revokeAPIKey(id: String, merchantID: String) async throws -> APIKey {
        try await transaction("revoking an API key", audit: AuditRecord(action: .apiKeyChanged, subjects: [id, merchantID], detail: "revoked")) { session in
            try await session.count("""
                UPDATE api_keys SET revoked_at = \(Self.milliseconds(Date()))
                WHERE id = \(id) AND merchant_id = \(merchantID) AND revoked_at IS NULL
                """)
            guard let row = try await session.rows("""
                SELECT \(unescaped: APIKey.columnList) FROM api_keys WHERE id = \(id) AND merchant_id = \(merchantID)
                """).first else {
                throw PaymentError(.notFound, "merchant \(merchantID) has no API key \(id)")
            }
            return try APIKey(row)
        }
    }

    public func authenticate(secret: String) async throws -> Merchant? {
        let hash = APIKey.hash(secret: secret)
        return try await read("checking an API key") { session in
            try await session.rows("""
                SELECT m.id, m.name, m.company_id, m.company_name, m.balance_cents, m.created_at
                FROM api_keys AS k JOIN merchants AS m ON m.id = k.merchant_id
                WHERE k.secret_sha256 = \(hash) AND k.revoked_at IS NULL
                """).first.map(Merchant.init(_:))
        }
    }

}
