import Foundation
import GRDB
import Payments

extension SQLiteStore: APIKeyStore {
    public func createAPIKey(merchantID: String) async throws -> (key: APIKey, secret: String) {
        let (key, secret) = APIKey.generate(merchantID: merchantID)
        try await write("creating an API key", audit: AuditRecord(action: .apiKeyChanged, subjects: [merchantID], detail: "created")) { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM merchants WHERE id = ?", arguments: [merchantID]) == true else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchantID)")
            }
            try db.execute(sql: """
                INSERT INTO api_keys (id, merchant_id, secret_sha256, hint, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [key.id, merchantID, APIKey.hash(secret: secret), key.hint, Self.milliseconds(key.createdAt)])
        }
        return (key, secret)
    }

    public func apiKeys(merchantID: String) async throws -> [APIKey] {
        try await read("listing API keys") { db in
            try Row.fetchAll(db, sql: "SELECT \(APIKey.columnList) FROM api_keys WHERE merchant_id = ? ORDER BY id", arguments: [merchantID])
                .map(APIKey.init(_:))
        }
    }

    public func revokeAPIKey(id: String, merchantID: String) async throws -> APIKey {
        try await write("revoking an API key", audit: AuditRecord(action: .apiKeyChanged, subjects: [id, merchantID], detail: "revoked")) { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND merchant_id = ? AND revoked_at IS NULL",
                           arguments: [Self.milliseconds(Date()), id, merchantID])
            guard let row = try Row.fetchOne(db, sql: "SELECT \(APIKey.columnList) FROM api_keys WHERE id = ? AND merchant_id = ?",
                                             arguments: [id, merchantID]) else {
                throw PaymentError(.notFound, "merchant \(merchantID) has no API key \(id)")
            }
            return try APIKey(row)
        }
    }

    public func authenticate(secret: String) async throws -> Merchant? {
        let hash = APIKey.hash(secret: secret)
        return try quickRead("checking an API key") { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Merchant.columnList(qualifiedBy: "merchants")) FROM api_keys JOIN merchants ON merchants.id = api_keys.merchant_id
                WHERE api_keys.secret_sha256 = ? AND api_keys.revoked_at IS NULL
                """), arguments: [hash]).map(Merchant.init(_:))
        }
    }
}
