import Foundation
import GRDB
import Payments

/// Payment changes computed first and written together: the rules of a step (the transition table,
/// funds given back on failure, one history row each) live in `Change`, and `write` stores any
/// number of changes with a few multi-row statements, so a 100,000-entry bank file is not 500,000
/// statements. Used inside the caller's transaction.
struct ChangeSet {
    struct FundsMove {
        var merchantID: String
        var paymentID: String
        var kind: String
        var amount: Int64
        var actor: Actor
        var reference: String
    }

    /// One payment after its steps, with what they leave behind.
    struct Change {
        var payment: Payment
        var originalVersion: Int
        var history: [HistoryEntry] = []
        var funds: [FundsMove] = []

        init(_ payment: Payment, steps: [TransitionStep], at now: Date) throws {
            self.payment = payment
            originalVersion = payment.version
            for step in steps {
                try PaymentStateMachine.check(paymentID: payment.id, from: self.payment.state, to: step.to)
                let from = self.payment.state
                self.payment.state = step.to
                self.payment.version += 1
                if let failure = step.failure { self.payment.failure = failure }
                if step.to == .failed, payment.direction == .credit, self.payment.reservedAmount > 0 || from == .completed {
                    // A failed credit gives its money back: the reservation, or after settlement the returned amount.
                    let amount = self.payment.reservedAmount > 0 ? self.payment.reservedAmount : payment.amount
                    funds.append(FundsMove(merchantID: payment.merchantID, paymentID: payment.id,
                                           kind: from == .completed ? "return" : "release", amount: amount, actor: step.actor,
                                           reference: step.reasonCode))
                    self.payment.reservedAmount = 0
                } else if step.to == .completed {
                    self.payment.reservedAmount = 0
                }
                history.append(HistoryEntry(paymentID: payment.id, version: self.payment.version, fromState: from,
                                            toState: step.to, actor: step.actor, reasonCode: step.reasonCode,
                                            reasonText: step.reasonText, source: step.source, createdAt: now))
            }
            self.payment.updatedAt = now
        }

        /// A history row without a state change (NOCs, dishonored returns, pended files): the version still moves on.
        init(_ payment: Payment, noteCode code: String, text: String, source: SourceReference, at now: Date) {
            self.payment = payment
            originalVersion = payment.version
            self.payment.version += 1
            self.payment.updatedAt = now
            history = [HistoryEntry(paymentID: payment.id, version: self.payment.version, fromState: payment.state,
                                    toState: payment.state, actor: .bankFile, reasonCode: code, reasonText: text, source: source,
                                    createdAt: now)]
        }
    }

    var changes: [Change] = []
    private var positions: [String: Int] = [:]

    /// Adds a change; a later change to the same payment extends the earlier one (its first version is kept).
    mutating func add(_ change: Change) {
        if let index = positions[change.payment.id] {
            changes[index].payment = change.payment
            changes[index].history += change.history
            changes[index].funds += change.funds
        } else {
            positions[change.payment.id] = changes.count
            changes.append(change)
        }
    }

    /// Funds, payment rows (version-checked), then history; throws when any payment changed meanwhile.
    func write(_ db: Database, faults: FaultInjector) throws {
        let moves = changes.flatMap(\.funds)
        for (merchant, merchantMoves) in Dictionary(grouping: moves, by: \.merchantID) {
            guard var balance = try Int64.fetchOne(db, sql: "SELECT balance_cents FROM merchants WHERE id = ?", arguments: [merchant]) else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchant)")
            }
            let now = SQLiteStore.milliseconds(Date())
            var rows: [[(any DatabaseValueConvertible & Sendable)?]] = []
            for move in merchantMoves {
                balance += move.amount
                rows.append([move.merchantID, move.paymentID, move.kind, move.amount, balance, move.actor.rawValue, move.reference, now])
            }
            try db.execute(sql: "UPDATE merchants SET balance_cents = ? WHERE id = ?", arguments: [balance, merchant])
            try insertRows(db, sql: "INSERT INTO funding_ledger (merchant_id, payment_id, kind, amount_cents, balance_after_cents, actor, reference, created_at) VALUES",
                           columns: 8, rows: rows)
        }
        // The new row values go to a keyed temporary table, then one UPDATE joins on it.
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS payment_changes (
                id TEXT PRIMARY KEY, state TEXT, version INTEGER, reserved_cents INTEGER, failure_code TEXT,
                failure_message TEXT, updated_at INTEGER, original_version INTEGER)
            """)
        try db.execute(sql: "DELETE FROM temp.payment_changes")
        try insertRows(db, sql: """
            INSERT INTO temp.payment_changes (id, state, version, reserved_cents, failure_code, failure_message, updated_at,
                                              original_version) VALUES
            """, columns: 8, rows: changes.map { change in
                let p = change.payment
                return [p.id, p.state.rawValue, p.version, p.reservedAmount, p.failure?.code, p.failure?.message,
                        SQLiteStore.milliseconds(p.updatedAt), change.originalVersion] as [(any DatabaseValueConvertible & Sendable)?]
            })
        try db.execute(sql: """
            UPDATE payments SET state = c.state, version = c.version, reserved_cents = c.reserved_cents,
                failure_code = c.failure_code, failure_message = c.failure_message, updated_at = c.updated_at
            FROM temp.payment_changes AS c WHERE payments.id = c.id AND payments.version = c.original_version
            """)
        let updated = db.changesCount
        try db.execute(sql: "DELETE FROM temp.payment_changes")
        guard updated == changes.count else {
            throw PaymentError(.storage, "\(changes.count - updated) payments changed concurrently")
        }
        try faults.hit(.afterStateUpdate)
        let history = changes.flatMap(\.history).map { entry -> [(any DatabaseValueConvertible & Sendable)?] in
            [entry.paymentID, entry.version, entry.fromState?.rawValue, entry.toState.rawValue, entry.actor.rawValue, entry.reasonCode,
             entry.reasonText, entry.source?.file, entry.source?.line, SQLiteStore.milliseconds(entry.createdAt)]
        }
        try insertRows(db, sql: """
            INSERT INTO payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text,
                                         source_file, source_line, created_at) VALUES
            """, columns: 10, rows: history)
    }

    /// Multi-row INSERTs, as many rows per statement as SQLite's parameter limit allows. The values
    /// are flattened into one array per statement (appending `StatementArguments` copies them each time).
    private func insertRows(_ db: Database, sql: String, columns: Int, rows: [[(any DatabaseValueConvertible & Sendable)?]]) throws {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        for chunk in chunks(rows, size: 30_000 / columns) {
            var values: [(any DatabaseValueConvertible & Sendable)?] = []
            values.reserveCapacity(chunk.count * columns)
            for row in chunk { values.append(contentsOf: row) }
            try db.execute(sql: sql + " " + Array(repeating: row, count: chunk.count).joined(separator: ", "),
                           arguments: StatementArguments(values))
        }
    }

    private func chunks<T>(_ items: [T], size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min(items.count, $0 + size)] }
    }
}
