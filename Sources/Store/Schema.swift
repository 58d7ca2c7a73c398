import GRDB

/// Versioned migrations. A migration, once released, is never edited: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE merchants (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    company_id TEXT NOT NULL,
                    company_name TEXT NOT NULL,
                    balance_cents INTEGER NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
                    created_at INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE funding_ledger (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    payment_id TEXT REFERENCES payments(id),
                    kind TEXT NOT NULL CHECK (kind IN ('fund', 'reserve', 'release', 'return')),
                    amount_cents INTEGER NOT NULL,
                    balance_after_cents INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX funding_ledger_merchant ON funding_ledger(merchant_id, id);

                CREATE TABLE payments (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    state TEXT NOT NULL CHECK (state IN ('P_CREATED', 'P_VALIDATED', 'P_SUBMITTED_TO_CORE',
                                                         'P_PROCESSING', 'P_COMPLETED', 'P_FAILED')),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                    currency TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
                    sec_code TEXT NOT NULL,
                    description TEXT NOT NULL,
                    effective_date TEXT NOT NULL,
                    counterparty_name TEXT NOT NULL,
                    routing_number TEXT NOT NULL,
                    account_number TEXT NOT NULL,
                    account_type TEXT NOT NULL CHECK (account_type IN ('checking', 'savings')),
                    metadata TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    reserved_cents INTEGER NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
                    failure_code TEXT,
                    failure_message TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX payments_state ON payments(state, id);
                CREATE INDEX payments_merchant ON payments(merchant_id, id);

                CREATE TABLE payment_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    payment_id TEXT NOT NULL REFERENCES payments(id),
                    version INTEGER NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    reason_code TEXT NOT NULL,
                    reason_text TEXT NOT NULL,
                    source_file TEXT,
                    source_line INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (payment_id, version)
                ) STRICT;
                CREATE TRIGGER payment_history_no_update BEFORE UPDATE ON payment_history
                BEGIN SELECT RAISE(ABORT, 'payment history is append-only'); END;
                CREATE TRIGGER payment_history_no_delete BEFORE DELETE ON payment_history
                BEGIN SELECT RAISE(ABORT, 'payment history is append-only'); END;

                CREATE TABLE idempotency_keys (
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    payment_id TEXT NOT NULL REFERENCES payments(id),
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (merchant_id, key)
                ) STRICT;
                """)
        }
        return migrator
    }
}
