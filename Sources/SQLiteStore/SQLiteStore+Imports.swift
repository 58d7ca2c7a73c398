import Foundation
import GRDB
import Payments

extension SQLiteStore: PaymentImportStore {
    public func beginImport(merchantID: String, source: String, holder: String) async throws -> PendingImport {
        let pending = PendingImport(id: Identifier.make(prefix: "imp"), merchantID: merchantID, source: source, holder: holder,
                                    createdAt: Date())
        try await write("opening an import") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM merchants WHERE id = ?", arguments: [merchantID]) == true else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchantID)")
            }
            try db.execute(sql: "INSERT INTO imports (id, merchant_id, source, holder, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [pending.id, merchantID, source, holder, Self.milliseconds(pending.createdAt)])
        }
        return pending
    }


    public func publishImport(_ importID: String) async throws {
        let faults = self.faults
        // The import's id is the change set of every chunk it staged and of what publishing writes:
        // the one entry appended here covers them all, and a discarded import never had one.
        try await write("publishing an import", audit: AuditRecord(action: .importPublished, subjects: [importID]), changeSet: importID) { db in
            try Self.requirePending(importID, db)
            let now = Self.milliseconds(Date())
            // The staged funds moves, per merchant, against the balance as it is now.
            let totals = try Row.fetchAll(db, sql: """
                SELECT merchant_id, SUM(amount_cents) FROM staged_funds WHERE import_id = ? GROUP BY merchant_id
                """, arguments: [importID])
            for row in totals {
                let merchant: String = row[0]
                let total: Int64 = row[1]
                guard let after = try Int64.fetchOne(db, sql: """
                    UPDATE merchants SET balance_cents = balance_cents + ?1 WHERE id = ?2 AND balance_cents + ?1 >= 0
                    RETURNING balance_cents
                    """, arguments: [total, merchant]) else {
                    throw StoreError(.conflict, "the balance of merchant \(merchant) no longer covers import \(importID)")
                }
                // Each move's balance after it, as if they had been written one by one.
                try db.execute(sql: """
                    INSERT INTO funding_ledger (merchant_id, payment_id, kind, amount_cents, balance_after_cents, actor, reference, created_at,
                                                change_set)
                    SELECT merchant_id, payment_id, kind, amount_cents,
                           ?3 + SUM(amount_cents) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING), actor, reference, created_at, ?1
                    FROM staged_funds WHERE import_id = ?1 AND merchant_id = ?2 ORDER BY id
                    """, arguments: [importID, merchant, after - total])
            }
            try db.execute(sql: "DELETE FROM staged_funds WHERE import_id = ?", arguments: [importID])
            try faults.hit(.afterStateUpdate)
            try db.execute(sql: """
                UPDATE webhook_deliveries SET next_attempt_at = ?1
                WHERE status = 'pending' AND next_attempt_at = ?2 AND subject_id IN (SELECT id FROM payments WHERE import_id = ?3)
                """, arguments: [now, LedgerPlanWriter.heldUntilPublished, importID])
            try db.execute(sql: "UPDATE payments SET import_id = NULL WHERE import_id = ?", arguments: [importID])
            try db.execute(sql: "DELETE FROM imports WHERE id = ?", arguments: [importID])
        }
    }

    public func discardImport(_ importID: String) async throws {
        // A chunk of payments per transaction, so a large discard never holds the database for long;
        // the import stays pending (invisible) until its last chunk is gone.
        while try await write("discarding an import", { db in try Self.discardChunk(importID, db) }) {}
    }

    public func pendingImports() async throws -> [PendingImport] {
        try await read("listing pending imports") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM imports ORDER BY created_at, id").map { row in
                PendingImport(id: row["id"], merchantID: row["merchant_id"], source: row["source"], holder: row["holder"],
                              createdAt: Self.date(row["created_at"]))
            }
        }
    }

    static func requirePending(_ importID: String, _ db: Database) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM imports WHERE id = ?"), arguments: [importID]) == true else {
            throw PaymentError(.notFound, "no pending import \(importID)")
        }
    }

    /// Removes up to a chunk of the import's payments with everything written for them; true while
    /// more remain. The last call removes the import itself.
    private static func discardChunk(_ importID: String, _ db: Database) throws -> Bool {
        let staged = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, version FROM payments WHERE import_id = ? LIMIT 2000"),
                                      arguments: [importID])
        guard !staged.isEmpty else {
            try db.execute(sql: "DELETE FROM staged_funds WHERE import_id = ?", arguments: [importID])
            try db.execute(sql: "DELETE FROM imports WHERE id = ?", arguments: [importID])
            return false
        }
        let ids: [String] = staged.map { $0["id"] }
        // Every version's event id, as the planner names them.
        let events = staged.flatMap { row -> [String] in
            let id: String = row["id"]
            let version: Int = row["version"]
            return (1...version).map { OutboxEvent.id(subjectID: id, version: $0) }
        }
        let marks = { (count: Int) in Array(repeating: "?", count: count).joined(separator: ",") }
        for sql in ["DELETE FROM webhook_deliveries WHERE event_id IN", "DELETE FROM webhook_events WHERE id IN"] {
            for chunk in stride(from: 0, to: events.count, by: 10_000).map({ Array(events[$0..<min($0 + 10_000, events.count)]) }) {
                try db.execute(sql: "\(sql) (\(marks(chunk.count)))", arguments: StatementArguments(chunk))
            }
        }
        for sql in ["DELETE FROM payment_history WHERE payment_id IN", "DELETE FROM idempotency_keys WHERE payment_id IN",
                    "DELETE FROM payments WHERE id IN"] {
            try db.execute(sql: "\(sql) (\(marks(ids.count)))", arguments: StatementArguments(ids))
        }
        return true
    }
}
