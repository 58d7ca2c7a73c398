import Foundation
import Payments
import PostgresNIO

extension PostgresStore: WebhookStore {
    public func addWebhookEndpoint(merchantID: String, url: String, eventTypes: [WebhookEventType], secret: String, idempotencyKey: String?,
                                   allowsPrivateAddresses: Bool) async throws -> (endpoint: WebhookEndpoint, secret: String, created: Bool) {
        try await transaction("adding a webhook endpoint", audit: AuditRecord(action: .endpointChanged, subjects: [merchantID], detail: "added")) { session in
            // The merchant's row lock makes a second request with the same key wait, then find the first's endpoint.
            guard try await Self.lockMerchants([merchantID], session)[merchantID] != nil else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchantID)")
            }
            if let idempotencyKey, let row = try await session.rows("""
                SELECT \(unescaped: WebhookEndpoint.columnList) FROM webhook_endpoints
                WHERE merchant_id = \(merchantID) AND idempotency_key = \(idempotencyKey)
                """).first {
                let endpoint = try WebhookEndpoint(row).replayed(url: url, eventTypes: eventTypes, idempotencyKey: idempotencyKey)
                return (endpoint, try await Self.currentSecret(session, endpointID: endpoint.id), false)
            }
            let now = Date()
            let endpoint = WebhookEndpoint.new(merchantID: merchantID, url: url, eventTypes: eventTypes,
                                               allowsPrivateAddresses: allowsPrivateAddresses, at: now)
            try await session.count("""
                INSERT INTO webhook_endpoints (id, merchant_id, url, event_types, enabled, idempotency_key, created_at, updated_at, allow_private)
                VALUES (\(endpoint.id), \(merchantID), \(url), \(WebhookEndpoint.storedEventTypes(eventTypes)), TRUE, \(idempotencyKey),
                        \(Self.milliseconds(now)), \(Self.milliseconds(now)), \(allowsPrivateAddresses))
                """)
            try await session.count("""
                INSERT INTO webhook_secrets (endpoint_id, secret, created_at) VALUES (\(endpoint.id), \(secret), \(Self.milliseconds(now)))
                """)
            return (endpoint, secret, true)
        }
    }

    public func webhookEndpoints(merchantID: String?) async throws -> [WebhookEndpoint] {
        try await read("listing webhook endpoints") { session in
            try await session.rows("""
                SELECT \(unescaped: WebhookEndpoint.columnList) FROM webhook_endpoints
                WHERE \(merchantID)::text IS NULL OR merchant_id = \(merchantID) ORDER BY id
                """).map(WebhookEndpoint.init(_:))
        }
    }

    public func setWebhookEndpoint(id: String, merchantID: String?, enabled: Bool, reason: String?) async throws -> WebhookEndpoint {
        try await transaction("changing a webhook endpoint", audit: AuditRecord(action: .endpointChanged, subjects: [id], detail: (enabled ? "enabled" : "disabled") + (reason.map { ": \($0)" } ?? ""))) { session in
            _ = try await Self.webhookEndpoint(session, id: id, merchantID: merchantID)
            // Enabling starts a fresh failure window; disabling records why.
            try await session.count("""
                UPDATE webhook_endpoints SET enabled = \(enabled), disabled_reason = \(WebhookEndpoint.disabledReason(enabling: enabled, given: reason)),
                    failing_since = NULL, updated_at = \(Self.milliseconds(Date()))
                WHERE id = \(id)
                """)
            return try await Self.webhookEndpoint(session, id: id, merchantID: merchantID)
        }
    }

    public func rotateWebhookSecret(endpointID: String, merchantID: String?, newSecret: String, graceEnds: Date,
                                    idempotencyKey: String?) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try await transaction("rotating a webhook secret", audit: AuditRecord(action: .endpointChanged, subjects: [endpointID], detail: "secret rotated")) { session in
            // Locked: two rotations of one endpoint take turns, and a repeated key finds the first one's secret.
            let endpoint = try await Self.webhookEndpoint(session, id: endpointID, merchantID: merchantID, locking: true)
            if let idempotencyKey, let earlier = try await session.value("""
                SELECT secret FROM webhook_secrets WHERE endpoint_id = \(endpointID) AND rotation_key = \(idempotencyKey)
                """, as: String.self) {
                return (endpoint, earlier)
            }
            let grace = Self.milliseconds(graceEnds)
            try await session.count("""
                UPDATE webhook_secrets SET expires_at = \(grace)
                WHERE endpoint_id = \(endpointID) AND (expires_at IS NULL OR expires_at > \(grace))
                """)
            try await session.count("""
                INSERT INTO webhook_secrets (endpoint_id, secret, rotation_key, created_at)
                VALUES (\(endpointID), \(newSecret), \(idempotencyKey), \(Self.milliseconds(Date())))
                """)
            return (endpoint, newSecret)
        }
    }

    // MARK: Rows


    static func webhookEndpoint(_ session: Session, id: String, merchantID: String?, locking: Bool = false) async throws -> WebhookEndpoint {
        guard let row = try await session.rows("""
            SELECT \(unescaped: WebhookEndpoint.columnList) FROM webhook_endpoints
            WHERE id = \(id) AND (\(merchantID)::text IS NULL OR merchant_id = \(merchantID)) \(unescaped: locking ? "FOR UPDATE" : "")
            """).first else {
            throw PaymentError(.notFound, "no webhook endpoint \(id)")
        }
        return try WebhookEndpoint(row)
    }

    static func currentSecret(_ session: Session, endpointID: String) async throws -> String {
        try await session.value("""
            SELECT secret FROM webhook_secrets WHERE endpoint_id = \(endpointID) ORDER BY id DESC LIMIT 1
            """, as: String.self) ?? ""
    }

}
