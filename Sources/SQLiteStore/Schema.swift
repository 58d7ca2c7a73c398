import GRDB

/// The SQLite schema. It persists; it decides nothing: which changes notify, what an event says and
/// every other rule live in Payments (`LedgerPlanner`). The triggers here only guard (history is
/// append-only), and the CHECK constraints are defence behind the planner's own checks.
///
/// The migrations written before the first release were squashed once into `v1`. From here on a
/// released migration is never edited: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
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
                    -- Where the payment was sent, once a cutoff binds it to a file.
                    file_id TEXT REFERENCES outbound_files(id),
                    batch_number INTEGER,
                    trace_number INTEGER,
                    file_line INTEGER,
                    entry_effective_date TEXT,
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
                    -- The response first sent for the key, replayed byte for byte once the payment is final.
                    response_body TEXT,
                    PRIMARY KEY (merchant_id, key)
                ) STRICT;
                CREATE INDEX idempotency_keys_payment ON idempotency_keys(payment_id);
                -- Every outbound file, whatever its kind: the columns all kinds share.
                CREATE TABLE outbound_files (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('rendered', 'uploading', 'uploaded', 'failed', 'cancelled')),
                    entry_count INTEGER NOT NULL,
                    total_debit_cents INTEGER NOT NULL,
                    total_credit_cents INTEGER NOT NULL,
                    archive_path TEXT NOT NULL,
                    remote_path TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    failure_reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    uploaded_at INTEGER
                ) STRICT;
                -- What only NACHA files have: the header identity acknowledgements quote, unique per day, and the control totals.
                CREATE TABLE nacha_files (
                    file_id TEXT PRIMARY KEY NOT NULL REFERENCES outbound_files(id),
                    immediate_origin TEXT NOT NULL,
                    immediate_destination TEXT NOT NULL,
                    creation_date TEXT NOT NULL,
                    creation_time TEXT NOT NULL,
                    file_id_modifier TEXT NOT NULL,
                    batch_count INTEGER NOT NULL,
                    entry_addenda_count INTEGER NOT NULL,
                    entry_hash INTEGER NOT NULL,
                    UNIQUE (immediate_origin, immediate_destination, creation_date, file_id_modifier)
                ) STRICT;
                CREATE INDEX outbound_files_status ON outbound_files(status, id);

                CREATE UNIQUE INDEX payments_trace ON payments(trace_number) WHERE trace_number IS NOT NULL;
                CREATE INDEX payments_file ON payments(file_id) WHERE file_id IS NOT NULL;

                CREATE TABLE trace_sequences (
                    odfi INTEGER PRIMARY KEY NOT NULL,
                    next_sequence INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE leases (
                    name TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    holder TEXT NOT NULL,
                    acquired_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE inbound_files (
                    id TEXT PRIMARY KEY NOT NULL,
                    sha256 TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    name TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('processed', 'duplicate', 'quarantined')),
                    reason TEXT,
                    applied INTEGER NOT NULL DEFAULT 0,
                    archive_path TEXT NOT NULL,
                    received_at INTEGER NOT NULL
                ) STRICT;
                -- The same bytes are applied (or quarantined) once; later copies are recorded as duplicates.
                CREATE UNIQUE INDEX inbound_files_sha256 ON inbound_files(sha256) WHERE status != 'duplicate';

                CREATE TABLE counterparty_corrections (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    payment_id TEXT NOT NULL REFERENCES payments(id),
                    inbound_file_id TEXT NOT NULL REFERENCES inbound_files(id),
                    change_code TEXT NOT NULL,
                    routing_number TEXT NOT NULL,
                    account_number TEXT NOT NULL,
                    corrected_routing_number TEXT NOT NULL,
                    corrected_account_number TEXT NOT NULL,
                    corrected_account_type TEXT NOT NULL,
                    corrected_name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX counterparty_corrections_account
                    ON counterparty_corrections(merchant_id, routing_number, account_number, id);

                -- Batches a settlement report settled, so a batch is settled once even if all its entries were returned.
                CREATE TABLE settled_batches (
                    file_id TEXT NOT NULL REFERENCES outbound_files(id),
                    batch_number INTEGER NOT NULL,
                    inbound_file_id TEXT NOT NULL REFERENCES inbound_files(id),
                    amount_cents INTEGER NOT NULL,
                    PRIMARY KEY (file_id, batch_number)
                ) STRICT;

                -- Merchant API keys, stored only as SHA-256 hashes of the secret.
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    secret_sha256 TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) STRICT;
                CREATE INDEX api_keys_merchant ON api_keys(merchant_id, id);

                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    url TEXT NOT NULL,
                    -- '*' or a comma-separated list of event types.
                    event_types TEXT NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                    disabled_reason TEXT,
                    -- Start of the current run of failed attempts; NULL after a success.
                    failing_since INTEGER,
                    idempotency_key TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (merchant_id, idempotency_key)
                ) STRICT;
                CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints(merchant_id, enabled);

                -- Signing secrets. Kept readable (HMAC needs the key); a rotated-out secret signs until expires_at.
                CREATE TABLE webhook_secrets (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
                    secret TEXT NOT NULL,
                    -- The Idempotency-Key of the API request that rotated it in: the same request rotates once.
                    rotation_key TEXT,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    UNIQUE (endpoint_id, rotation_key)
                ) STRICT;
                CREATE INDEX webhook_secrets_endpoint ON webhook_secrets(endpoint_id, id);

                -- The outbox: one row per notified change, written with the change itself (a plan's events).
                -- The body is not stored: it is rendered from the history row and the payment's fields that
                -- never change after that version (`WebhookPayload`), so every attempt and replay sends the
                -- same bytes at a third of the cost per change.
                CREATE TABLE webhook_events (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL,
                    payment_id TEXT NOT NULL,
                    payment_version INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID; -- one b-tree per event less: a cutoff writes 100,000 at once
                CREATE INDEX webhook_events_created ON webhook_events(created_at, id);

                CREATE TABLE webhook_deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL REFERENCES webhook_events(id),
                    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
                    payment_id TEXT NOT NULL,
                    payment_version INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at INTEGER,
                    last_status_code INTEGER,
                    last_error TEXT,
                    delivered_at INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (event_id, endpoint_id)
                ) STRICT;
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at, id);
                CREATE INDEX webhook_deliveries_order ON webhook_deliveries(endpoint_id, payment_id, payment_version)
                    WHERE status = 'pending';
                -- Only deliveries in flight (or held by a worker that died): counting them stays cheap.
                CREATE INDEX webhook_deliveries_leased ON webhook_deliveries(endpoint_id, lease_expires_at)
                    WHERE lease_owner IS NOT NULL;

                CREATE TABLE webhook_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
                    event_id TEXT NOT NULL,
                    endpoint_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    status_code INTEGER,
                    latency_ms INTEGER NOT NULL,
                    error TEXT,
                    response_excerpt TEXT
                ) STRICT;
                CREATE INDEX webhook_attempts_event ON webhook_attempts(event_id, id);

                """)
        }
        // Staged imports (`PaymentImportStore`): a pending import's payments carry its id until it is
        // published; its funds moves wait in `staged_funds`, and its history may be deleted when it is
        // discarded, which published history never is. Bank files applied in chunks (`applying`).
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE imports (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    source TEXT NOT NULL,
                    holder TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                ALTER TABLE payments ADD COLUMN import_id TEXT REFERENCES imports(id);
                CREATE INDEX payments_import ON payments(import_id) WHERE import_id IS NOT NULL;

                CREATE TABLE staged_funds (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    import_id TEXT NOT NULL REFERENCES imports(id),
                    merchant_id TEXT NOT NULL,
                    payment_id TEXT,
                    kind TEXT NOT NULL,
                    amount_cents INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX staged_funds_import ON staged_funds(import_id, id);

                -- A bank file applied in chunks is 'applying' until its last one, with its resume point.
                CREATE TABLE inbound_files_v2 (
                    id TEXT PRIMARY KEY NOT NULL,
                    sha256 TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    name TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('processed', 'applying', 'duplicate', 'quarantined')),
                    reason TEXT,
                    applied INTEGER NOT NULL DEFAULT 0,
                    applied_events INTEGER NOT NULL DEFAULT 0,
                    archive_path TEXT NOT NULL,
                    received_at INTEGER NOT NULL
                ) STRICT;
                INSERT INTO inbound_files_v2 (id, sha256, kind, source, name, size, status, reason, applied, archive_path, received_at)
                    SELECT id, sha256, kind, source, name, size, status, reason, applied, archive_path, received_at FROM inbound_files;
                DROP TABLE inbound_files;
                ALTER TABLE inbound_files_v2 RENAME TO inbound_files;
                CREATE UNIQUE INDEX inbound_files_sha256 ON inbound_files(sha256) WHERE status != 'duplicate';

                DROP TRIGGER payment_history_no_delete;
                CREATE TRIGGER payment_history_no_delete BEFORE DELETE ON payment_history
                WHEN (SELECT import_id FROM payments WHERE id = OLD.payment_id) IS NULL
                BEGIN SELECT RAISE(ABORT, 'payment history is append-only'); END;
                """)
        }
        migrator.registerMigration("v3") { db in
            // Each endpoint's queue in due order: a claim reads the head of every endpoint's queue
            // (and a loose scan finds the endpoints) however deep one of them is.
            try db.execute(sql: """
                CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries(endpoint_id, next_attempt_at, id)
                    WHERE status = 'pending';
                """)
        }
        migrator.registerMigration("v4") { db in
            // A file's payments in line order, a page at a time: ingest reads a 100,000-entry file's
            // payments in pages without sorting the whole file for each one.
            try db.execute(sql: """
                DROP INDEX payments_file;
                CREATE INDEX payments_file ON payments(file_id, file_line) WHERE file_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v5") { db in
            // Positive Pay: enrolled accounts, check issues and their append-only history. The
            // partial unique index backs the planner's rule that a serial is live once per account.
            try db.execute(sql: """
                CREATE TABLE check_accounts (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    routing_number TEXT NOT NULL,
                    account_number TEXT NOT NULL,
                    layout TEXT NOT NULL CHECK (layout IN ('arp', 'header-trailer', 'csv')),
                    payee_match INTEGER NOT NULL CHECK (payee_match IN (0, 1)),
                    created_at INTEGER NOT NULL,
                    UNIQUE (merchant_id, routing_number, account_number)
                ) STRICT;

                CREATE TABLE check_issues (
                    id TEXT PRIMARY KEY NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    account_id TEXT NOT NULL REFERENCES check_accounts(id),
                    serial TEXT NOT NULL,
                    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                    issue_date TEXT NOT NULL,
                    payee TEXT NOT NULL,
                    metadata TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('P_CREATED', 'P_VALIDATED', 'P_SUBMITTED_TO_CORE',
                                                         'P_PROCESSING', 'P_COMPLETED', 'P_FAILED')),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    failure_code TEXT,
                    failure_message TEXT,
                    issue_file_id TEXT REFERENCES outbound_files(id),
                    issue_file_line INTEGER,
                    void_requested_at INTEGER,
                    void_file_id TEXT REFERENCES outbound_files(id),
                    void_file_line INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (merchant_id, idempotency_key)
                ) STRICT;
                CREATE UNIQUE INDEX check_issues_live_serial ON check_issues(account_id, serial) WHERE state <> 'P_FAILED';
                CREATE INDEX check_issues_state ON check_issues(state, id);
                CREATE INDEX check_issues_account ON check_issues(account_id, id);
                CREATE INDEX check_issues_issue_file ON check_issues(issue_file_id, issue_file_line) WHERE issue_file_id IS NOT NULL;
                CREATE INDEX check_issues_void_file ON check_issues(void_file_id, void_file_line) WHERE void_file_id IS NOT NULL;
                CREATE INDEX check_issues_void_pending ON check_issues(id) WHERE void_requested_at IS NOT NULL AND void_file_id IS NULL;

                CREATE TABLE check_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    check_id TEXT NOT NULL REFERENCES check_issues(id),
                    version INTEGER NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    reason_code TEXT NOT NULL,
                    reason_text TEXT NOT NULL,
                    source_file TEXT,
                    source_line INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (check_id, version)
                ) STRICT;
                CREATE TRIGGER check_history_no_update BEFORE UPDATE ON check_history
                BEGIN SELECT RAISE(ABORT, 'check history is append-only'); END;
                CREATE TRIGGER check_history_no_delete BEFORE DELETE ON check_history
                BEGIN SELECT RAISE(ABORT, 'check history is append-only'); END;

                CREATE TABLE check_exceptions (
                    id TEXT PRIMARY KEY NOT NULL,
                    bank_reference TEXT NOT NULL,
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    account_id TEXT NOT NULL REFERENCES check_accounts(id),
                    check_id TEXT REFERENCES check_issues(id),
                    serial TEXT NOT NULL,
                    presented_cents INTEGER NOT NULL,
                    issued_cents INTEGER,
                    presented_payee TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    default_decision TEXT NOT NULL CHECK (default_decision IN ('pay', 'return')),
                    deadline INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'decided', 'closed')),
                    source_file TEXT NOT NULL,
                    source_line INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (account_id, bank_reference)
                ) STRICT;
                CREATE INDEX check_exceptions_status ON check_exceptions(status, id);

                CREATE TABLE check_decisions (
                    id TEXT PRIMARY KEY NOT NULL,
                    exception_id TEXT NOT NULL REFERENCES check_exceptions(id),
                    merchant_id TEXT NOT NULL REFERENCES merchants(id),
                    decision TEXT NOT NULL CHECK (decision IN ('pay', 'return')),
                    return_reason TEXT,
                    state TEXT NOT NULL CHECK (state IN ('P_CREATED', 'P_VALIDATED', 'P_SUBMITTED_TO_CORE',
                                                         'P_PROCESSING', 'P_COMPLETED', 'P_FAILED')),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    failure_code TEXT,
                    failure_message TEXT,
                    file_id TEXT REFERENCES outbound_files(id),
                    file_line INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX check_decisions_state ON check_decisions(state, id);
                CREATE INDEX check_decisions_file ON check_decisions(file_id) WHERE file_id IS NOT NULL;

                CREATE TABLE decision_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    decision_id TEXT NOT NULL REFERENCES check_decisions(id),
                    version INTEGER NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    reason_code TEXT NOT NULL,
                    reason_text TEXT NOT NULL,
                    source_file TEXT,
                    source_line INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (decision_id, version)
                ) STRICT;
                CREATE TRIGGER decision_history_no_update BEFORE UPDATE ON decision_history
                BEGIN SELECT RAISE(ABORT, 'decision history is append-only'); END;
                CREATE TRIGGER decision_history_no_delete BEFORE DELETE ON decision_history
                BEGIN SELECT RAISE(ABORT, 'decision history is append-only'); END;
                """)
        }
        // The outbox announces checks and exceptions too: an event's subject is any of them.
        migrator.registerMigration("v6") { db in
            try db.execute(sql: """
                ALTER TABLE webhook_events RENAME COLUMN payment_id TO subject_id;
                ALTER TABLE webhook_events RENAME COLUMN payment_version TO subject_version;
                ALTER TABLE webhook_deliveries RENAME COLUMN payment_id TO subject_id;
                ALTER TABLE webhook_deliveries RENAME COLUMN payment_version TO subject_version;
                """)
        }
        // A check created over the API keeps its first response with its key, for replays (as payments do).
        migrator.registerMigration("v7") { db in
            try db.execute(sql: "ALTER TABLE check_issues ADD COLUMN response_body TEXT")
        }
        // OpenPGP-sealed files: the plaintext rendered and archived beside the sealed bytes sent.
        migrator.registerMigration("v8") { db in
            try db.execute(sql: """
                CREATE TABLE sealed_files (
                    file_id TEXT PRIMARY KEY NOT NULL REFERENCES outbound_files(id),
                    plaintext_sha256 TEXT NOT NULL,
                    plaintext_size INTEGER NOT NULL,
                    plaintext_archive_path TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    signer TEXT
                ) STRICT;
                """)
        }
        // OpenPGP files from the bank: the bytes received beside the plaintext read, and who signed them.
        migrator.registerMigration("v9") { db in
            try db.execute(sql: """
                ALTER TABLE inbound_files ADD COLUMN sealed_archive_path TEXT;
                ALTER TABLE inbound_files ADD COLUMN plaintext_sha256 TEXT;
                ALTER TABLE inbound_files ADD COLUMN signer TEXT;
                """)
        }
        // Bank profiles and Same Day ACH: where a payment goes and when it settles; what an operator
        // should know about an applied bank file.
        migrator.registerMigration("v10") { db in
            try db.execute(sql: """
                ALTER TABLE payments ADD COLUMN settlement TEXT NOT NULL DEFAULT 'next_day';
                ALTER TABLE payments ADD COLUMN profile TEXT;
                ALTER TABLE inbound_files ADD COLUMN notes TEXT;
                """)
        }
        // What a bank file changed (`metl ingest show`), found by the history rows that name it.
        migrator.registerMigration("v11") { db in
            try db.execute(sql: """
                CREATE INDEX payment_history_source ON payment_history(source_file, source_line) WHERE source_file IS NOT NULL;
                CREATE INDEX check_history_source ON check_history(source_file, source_line) WHERE source_file IS NOT NULL;
                CREATE INDEX decision_history_source ON decision_history(source_file, source_line) WHERE source_file IS NOT NULL;
                """)
        }
        // What bank files said against the ledger (`metl reconcile`, `metl checks discrepancies`).
        migrator.registerMigration("v12") { db in
            try db.execute(sql: """
                CREATE INDEX payment_history_discrepancies ON payment_history(created_at) WHERE reason_code = 'discrepancy';
                CREATE INDEX check_history_discrepancies ON check_history(created_at) WHERE reason_code = 'discrepancy';
                """)
        }
        // The day a check was paid: a paid record of another day is another presentment.
        migrator.registerMigration("v13") { db in
            try db.execute(sql: "ALTER TABLE check_issues ADD COLUMN paid_on TEXT")
        }
        // An enrolment an operator turned off: it takes no checks and bank files no longer match it.
        migrator.registerMigration("v14") { db in
            try db.execute(sql: "ALTER TABLE check_accounts ADD COLUMN disabled_at INTEGER")
        }
        // A quarantined bank file an operator closed: who, when, why, and the file that replaced it.
        // SQLite cannot change a CHECK, so the table is rebuilt with the new status allowed.
        migrator.registerMigration("v15") { db in
            try db.execute(sql: """
                CREATE TABLE inbound_files_v3 (
                    id TEXT PRIMARY KEY NOT NULL,
                    sha256 TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    name TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('processed', 'applying', 'duplicate', 'quarantined', 'dismissed')),
                    reason TEXT,
                    applied INTEGER NOT NULL DEFAULT 0,
                    applied_events INTEGER NOT NULL DEFAULT 0,
                    archive_path TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    sealed_archive_path TEXT,
                    plaintext_sha256 TEXT,
                    signer TEXT,
                    notes TEXT,
                    dismissed_at INTEGER,
                    dismissed_by TEXT,
                    dismissal_reason TEXT,
                    superseded_by TEXT
                ) STRICT;
                INSERT INTO inbound_files_v3 (id, sha256, kind, source, name, size, status, reason, applied, applied_events, archive_path,
                                              received_at, sealed_archive_path, plaintext_sha256, signer, notes)
                    SELECT id, sha256, kind, source, name, size, status, reason, applied, applied_events, archive_path,
                           received_at, sealed_archive_path, plaintext_sha256, signer, notes FROM inbound_files;
                DROP TABLE inbound_files;
                ALTER TABLE inbound_files_v3 RENAME TO inbound_files;
                CREATE UNIQUE INDEX inbound_files_sha256 ON inbound_files(sha256) WHERE status != 'duplicate';
                """)
        }
        // Each try at delivering a file that failed before the bank had it: when, and why.
        migrator.registerMigration("v16") { db in
            try db.execute(sql: """
                CREATE TABLE delivery_failures (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    file_id TEXT NOT NULL REFERENCES outbound_files(id),
                    failed_at INTEGER NOT NULL,
                    error TEXT NOT NULL
                ) STRICT;
                CREATE INDEX delivery_failures_file ON delivery_failures(file_id, id);
                """)
        }
        // An operator's grant to deliver to a loopback or private address, for one endpoint.
        migrator.registerMigration("v17") { db in
            try db.execute(sql: "ALTER TABLE webhook_endpoints ADD COLUMN allow_private INTEGER NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1))")
        }
        // The people who operate metl, their roles and credentials.
        migrator.registerMigration("v18") { db in
            try db.execute(sql: """
                CREATE TABLE operators (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    roles TEXT NOT NULL,
                    email TEXT,
                    password_hash TEXT,
                    totp_secret TEXT,
                    totp_last_step INTEGER,
                    disabled_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1)
                ) STRICT;
                CREATE TABLE operator_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    operator_id TEXT NOT NULL REFERENCES operators(id),
                    version INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    change TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX operator_history_operator ON operator_history(operator_id, id);
                CREATE TRIGGER operator_history_no_update BEFORE UPDATE ON operator_history
                BEGIN SELECT RAISE(ABORT, 'operator history is append-only'); END;
                CREATE TRIGGER operator_history_no_delete BEFORE DELETE ON operator_history
                BEGIN SELECT RAISE(ABORT, 'operator history is append-only'); END;
                """)
        }
        // Four-eyes approval: what a held payment or file needs and has, when a held file's window
        // closes, and every approver's decision. SQLite cannot change a CHECK, so outbound_files is
        // rebuilt with the new statuses (GRDB migrates with foreign keys off and checks them after).
        migrator.registerMigration("v19") { db in
            try db.execute(sql: """
                ALTER TABLE payments ADD COLUMN approvals_required INTEGER NOT NULL DEFAULT 0 CHECK (approvals_required >= 0);
                ALTER TABLE payments ADD COLUMN approvals_given INTEGER NOT NULL DEFAULT 0 CHECK (approvals_given >= 0);
                CREATE TABLE outbound_files_v2 (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'rendered', 'uploading', 'uploaded', 'failed', 'cancelled',
                                                           'rejected', 'expired')),
                    entry_count INTEGER NOT NULL,
                    total_debit_cents INTEGER NOT NULL,
                    total_credit_cents INTEGER NOT NULL,
                    archive_path TEXT NOT NULL,
                    remote_path TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    failure_reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    uploaded_at INTEGER,
                    approvals_required INTEGER NOT NULL DEFAULT 0 CHECK (approvals_required >= 0),
                    approvals_given INTEGER NOT NULL DEFAULT 0 CHECK (approvals_given >= 0),
                    approval_deadline INTEGER
                ) STRICT;
                INSERT INTO outbound_files_v2 (id, kind, name, sha256, size, status, entry_count, total_debit_cents, total_credit_cents,
                                               archive_path, remote_path, attempts, failure_reason, created_at, updated_at, uploaded_at)
                    SELECT id, kind, name, sha256, size, status, entry_count, total_debit_cents, total_credit_cents,
                           archive_path, remote_path, attempts, failure_reason, created_at, updated_at, uploaded_at FROM outbound_files;
                DROP TABLE outbound_files;
                ALTER TABLE outbound_files_v2 RENAME TO outbound_files;
                CREATE INDEX outbound_files_status ON outbound_files(status, id);
                CREATE TABLE approvals (
                    id TEXT PRIMARY KEY NOT NULL,
                    subject TEXT NOT NULL CHECK (subject IN ('payment', 'file')),
                    subject_id TEXT NOT NULL,
                    ordinal INTEGER NOT NULL CHECK (ordinal >= 1),
                    operator TEXT NOT NULL,
                    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
                    sha256 TEXT NOT NULL,
                    reason TEXT,
                    created_at INTEGER NOT NULL,
                    UNIQUE (subject_id, ordinal)
                ) STRICT;
                CREATE TRIGGER approvals_no_update BEFORE UPDATE ON approvals
                BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
                CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
                BEGIN SELECT RAISE(ABORT, 'approvals are append-only'); END;
                """)
        }
        // The audit log: each covered row's change set, the hash-chained entries, and the head the
        // next entry follows. Rows written before it carry no change set: the genesis entry covers them.
        migrator.registerMigration("v20") { db in
            try db.execute(sql: """
                ALTER TABLE payment_history ADD COLUMN change_set TEXT;
                CREATE INDEX payment_history_change_set ON payment_history(change_set);
                ALTER TABLE check_history ADD COLUMN change_set TEXT;
                CREATE INDEX check_history_change_set ON check_history(change_set);
                ALTER TABLE decision_history ADD COLUMN change_set TEXT;
                CREATE INDEX decision_history_change_set ON decision_history(change_set);
                ALTER TABLE funding_ledger ADD COLUMN change_set TEXT;
                CREATE INDEX funding_ledger_change_set ON funding_ledger(change_set);
                ALTER TABLE approvals ADD COLUMN change_set TEXT;
                CREATE INDEX approvals_change_set ON approvals(change_set);
                ALTER TABLE operator_history ADD COLUMN change_set TEXT;
                CREATE INDEX operator_history_change_set ON operator_history(change_set);
                ALTER TABLE delivery_failures ADD COLUMN change_set TEXT;
                CREATE INDEX delivery_failures_change_set ON delivery_failures(change_set);
                CREATE TABLE audit_log (
                    sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence >= 1),
                    created_at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subjects TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    change_set TEXT NOT NULL,
                    row_count INTEGER NOT NULL,
                    rows_digest TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                ) STRICT;
                CREATE INDEX audit_log_change_set ON audit_log(change_set);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TABLE audit_head (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    sequence INTEGER NOT NULL,
                    hash TEXT NOT NULL
                ) STRICT;
                INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
                """)
        }
        // Amount-range searches (the console, `GET /payments?min_amount=`) read this index, not every
        // payment: index-only over the range, newest first from it.
        migrator.registerMigration("v21") { db in
            try db.execute(sql: "CREATE INDEX payments_amount ON payments(amount_cents, id) WHERE import_id IS NULL")
        }
        // Alerts, one open per code and key, and the messages owed to channels about them.
        migrator.registerMigration("v22") { db in
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY NOT NULL,
                    code TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    key TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    status TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    raised_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    resolved_at INTEGER,
                    acknowledged_by TEXT,
                    acknowledged_at INTEGER
                ) STRICT;
                CREATE UNIQUE INDEX alerts_open ON alerts(code, key) WHERE status = 'open';
                CREATE INDEX alerts_status ON alerts(status, id);
                CREATE TABLE alert_notifications (
                    id TEXT PRIMARY KEY NOT NULL,
                    alert_id TEXT NOT NULL REFERENCES alerts(id),
                    channel TEXT NOT NULL,
                    event TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_until INTEGER
                ) STRICT;
                CREATE INDEX alert_notifications_alert ON alert_notifications(alert_id);
                CREATE INDEX alert_notifications_due ON alert_notifications(status, next_attempt_at);
                """)
        }
        // The bank profile whose cutoff rendered a file (the console and `metl files list` filter on it).
        migrator.registerMigration("v23") { db in
            try db.execute(sql: "ALTER TABLE outbound_files ADD COLUMN profile TEXT")
        }
        // The console's sessions, kept where every metl serve on the database sees them.
        migrator.registerMigration("v24") { db in
            try db.execute(sql: """
                CREATE TABLE operator_sessions (
                    key TEXT PRIMARY KEY NOT NULL,
                    operator_name TEXT NOT NULL,
                    csrf TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    notice TEXT,
                    notice_is_error INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX operator_sessions_operator ON operator_sessions(operator_name);
                """)
        }
        // Refused console sign-ins, counted by every server on the database for the lock-out.
        migrator.registerMigration("v25") { db in
            try db.execute(sql: """
                CREATE TABLE sign_in_refusals (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    refused_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX sign_in_refusals_name ON sign_in_refusals(name, refused_at);
                CREATE INDEX sign_in_refusals_at ON sign_in_refusals(refused_at);
                """)
        }
        return migrator
    }
}
