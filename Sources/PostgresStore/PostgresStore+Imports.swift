import Foundation
import Payments
import PostgresNIO

extension PostgresStore: PaymentImportStore {
    public func beginImport(merchantID: String, source: String, holder: String) async throws -> PendingImport {
        let pending = PendingImport(id: Identifier.make(prefix: "imp"), merchantID: merchantID, source: source, holder: holder,
                                    createdAt: Date())
        try await transaction("opening an import") { session in
            guard try await session.value("SELECT 1 FROM merchants WHERE id = \(merchantID)", as: Int32.self) != nil else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchantID)")
            }
            try await session.count("""
                INSERT INTO imports (id, merchant_id, source, holder, created_at)
                VALUES (\(pending.id), \(merchantID), \(source), \(holder), \(Self.milliseconds(pending.createdAt)))
                """)
        }
        return pending
    }


    public func publishImport(_ importID: String) async throws {
        let faults = self.faults
        // The import's id is the change set of every chunk it staged and of what publishing writes:
        // the one entry appended here covers them all, and a discarded import never had one.
        try await transaction("publishing an import", audit: AuditRecord(action: .importPublished, subjects: [importID]),
                              changeSet: importID) { session in
            try await Self.requirePending(importID, session)
            let now = Self.milliseconds(Date())
            // The staged funds moves, per merchant in id order, against the balance as it is now.
            let totals = try await session.rows("""
                SELECT merchant_id, SUM(amount_cents)::bigint FROM staged_funds WHERE import_id = \(importID)
                GROUP BY merchant_id ORDER BY merchant_id
                """).map { try $0.decode((String, Int64).self) }
            for (merchant, total) in totals {
                guard let after = try await session.value("""
                    UPDATE merchants SET balance_cents = balance_cents + \(total) WHERE id = \(merchant) AND balance_cents + \(total) >= 0
                    RETURNING balance_cents
                    """, as: Int64.self) else {
                    throw StoreError(.conflict, "the balance of merchant \(merchant) no longer covers import \(importID)")
                }
                // Each move's balance after it, as if they had been written one by one.
                try await session.count("""
                    INSERT INTO funding_ledger (merchant_id, payment_id, kind, amount_cents, balance_after_cents, actor, reference, created_at)
                    SELECT merchant_id, payment_id, kind, amount_cents,
                           \(after - total) + SUM(amount_cents) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING), actor, reference, created_at
                    FROM staged_funds WHERE import_id = \(importID) AND merchant_id = \(merchant) ORDER BY id
                    """)
            }
            try await session.count("DELETE FROM staged_funds WHERE import_id = \(importID)")
            try faults.hit(.afterStateUpdate)
            try await session.count("""
                UPDATE webhook_deliveries SET next_attempt_at = \(now)
                WHERE status = 'pending' AND next_attempt_at = \(PostgresPlanWriter.heldUntilPublished)
                  AND subject_id IN (SELECT id FROM payments WHERE import_id = \(importID))
                """)
            try await session.count("UPDATE payments SET import_id = NULL WHERE import_id = \(importID)")
            try await session.count("DELETE FROM imports WHERE id = \(importID)")
        }
    }

    public func discardImport(_ importID: String) async throws {
        // A chunk of payments per transaction, so a large discard never holds rows for long; the
        // import stays pending (invisible) until its last chunk is gone.
        while try await transaction("discarding an import", { session in try await Self.discardChunk(importID, session) }) {}
    }

    public func pendingImports() async throws -> [PendingImport] {
        try await read("listing pending imports") { session in
            try await session.rows("SELECT id, merchant_id, source, holder, created_at FROM imports ORDER BY created_at, id").map { row in
                let (id, merchant, source, holder, createdAt) = try row.decode((String, String, String, String, Int64).self)
                return PendingImport(id: id, merchantID: merchant, source: source, holder: holder, createdAt: Self.date(createdAt))
            }
        }
    }

    /// Refuses unless the import is pending, and locks it: a publish and a discard of one import take turns.
    static func requirePending(_ importID: String, _ session: Session) async throws {
        guard try await session.value("SELECT 1 FROM imports WHERE id = \(importID) FOR UPDATE", as: Int32.self) != nil else {
            throw PaymentError(.notFound, "no pending import \(importID)")
        }
    }

    /// Removes up to a chunk of the import's payments with everything written for them; true while
    /// more remain. The last call removes the import itself.
    private static func discardChunk(_ importID: String, _ session: Session) async throws -> Bool {
        let staged = try await session.rows("SELECT id, version FROM payments WHERE import_id = \(importID) LIMIT 2000")
            .map { try $0.decode((String, Int).self) }
        guard !staged.isEmpty else {
            try await session.count("DELETE FROM staged_funds WHERE import_id = \(importID)")
            try await session.count("DELETE FROM imports WHERE id = \(importID)")
            return false
        }
        let ids = staged.map(\.0)
        // Every version's event id, as the planner names them.
        let events = staged.flatMap { id, version in (1...version).map { OutboxEvent.id(subjectID: id, version: $0) } }
        try await session.count("DELETE FROM webhook_deliveries WHERE event_id = ANY(\(events))")
        try await session.count("DELETE FROM webhook_events WHERE id = ANY(\(events))")
        try await session.count("DELETE FROM payment_history WHERE payment_id = ANY(\(ids))")
        try await session.count("DELETE FROM idempotency_keys WHERE payment_id = ANY(\(ids))")
        try await session.count("DELETE FROM payments WHERE id = ANY(\(ids))")
        return true
    }
}
