import Logging
import Payments
import PostgresNIO

/// The PostgreSQL schema and its versioned migrations. Like the SQLite schema it persists and
/// decides nothing: the triggers only guard (history is append-only) and the CHECK constraints are
/// defence behind the planner's own checks. Times are milliseconds since 1970 in BIGINT columns, as
/// in SQLite, so both stores hold the same values and a database moves between them unchanged.
///
/// Migrations run under a session advisory lock: instances starting at once take turns, and the
/// later ones find nothing left to do. A released migration is never edited: add a new one.
enum PostgresSchema {
    /// The advisory lock key migrations hold (any constant no other application on the database uses).
    static let migrationLock: Int64 = 0x6D65_746C_0001

    static let migrations: [(version: Int, sql: [String])] = [
        (1, [
            """
            CREATE TABLE merchants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                company_id TEXT NOT NULL,
                company_name TEXT NOT NULL,
                balance_cents BIGINT NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE imports (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                source TEXT NOT NULL,
                holder TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE payments (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                state TEXT NOT NULL CHECK (state IN ('P_CREATED', 'P_VALIDATED', 'P_SUBMITTED_TO_CORE',
                                                     'P_PROCESSING', 'P_COMPLETED', 'P_FAILED')),
                version BIGINT NOT NULL CHECK (version >= 1),
                amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
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
                reserved_cents BIGINT NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
                failure_code TEXT,
                failure_message TEXT,
                file_id TEXT,
                batch_number BIGINT,
                trace_number BIGINT,
                file_line BIGINT,
                entry_effective_date TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                import_id TEXT REFERENCES imports(id)
            )
            """,
            "CREATE INDEX payments_state ON payments(state, id)",
            "CREATE INDEX payments_merchant ON payments(merchant_id, id)",
            "CREATE UNIQUE INDEX payments_trace ON payments(trace_number) WHERE trace_number IS NOT NULL",
            "CREATE INDEX payments_file ON payments(file_id, file_line) WHERE file_id IS NOT NULL",
            "CREATE INDEX payments_import ON payments(import_id) WHERE import_id IS NOT NULL",
            """
            CREATE TABLE funding_ledger (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                payment_id TEXT REFERENCES payments(id),
                kind TEXT NOT NULL CHECK (kind IN ('fund', 'reserve', 'release', 'return')),
                amount_cents BIGINT NOT NULL,
                balance_after_cents BIGINT NOT NULL,
                actor TEXT NOT NULL,
                reference TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX funding_ledger_merchant ON funding_ledger(merchant_id, id)",
            """
            CREATE TABLE staged_funds (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                import_id TEXT NOT NULL REFERENCES imports(id),
                merchant_id TEXT NOT NULL,
                payment_id TEXT,
                kind TEXT NOT NULL,
                amount_cents BIGINT NOT NULL,
                actor TEXT NOT NULL,
                reference TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX staged_funds_import ON staged_funds(import_id, id)",
            """
            CREATE TABLE payment_history (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                payment_id TEXT NOT NULL REFERENCES payments(id),
                version BIGINT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason_code TEXT NOT NULL,
                reason_text TEXT NOT NULL,
                source_file TEXT,
                source_line BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (payment_id, version)
            )
            """,
            // History is append-only; a staged import's history goes when the import is discarded.
            """
            CREATE FUNCTION payment_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND (SELECT import_id FROM payments WHERE id = OLD.payment_id) IS NOT NULL THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'payment history is append-only';
            END $$
            """,
            """
            CREATE TRIGGER payment_history_append_only BEFORE UPDATE OR DELETE ON payment_history
            FOR EACH ROW EXECUTE FUNCTION payment_history_append_only()
            """,
            """
            CREATE TABLE idempotency_keys (
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                payment_id TEXT NOT NULL REFERENCES payments(id),
                created_at BIGINT NOT NULL,
                response_body TEXT,
                PRIMARY KEY (merchant_id, key)
            )
            """,
            "CREATE INDEX idempotency_keys_payment ON idempotency_keys(payment_id)",
            """
            CREATE TABLE outbound_files (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                name TEXT NOT NULL UNIQUE,
                sha256 TEXT NOT NULL,
                size BIGINT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('rendered', 'uploading', 'uploaded', 'failed', 'cancelled')),
                entry_count BIGINT NOT NULL,
                total_debit_cents BIGINT NOT NULL,
                total_credit_cents BIGINT NOT NULL,
                archive_path TEXT NOT NULL,
                remote_path TEXT,
                attempts BIGINT NOT NULL DEFAULT 0,
                failure_reason TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                uploaded_at BIGINT
            )
            """,
            "CREATE INDEX outbound_files_status ON outbound_files(status, id)",
            "ALTER TABLE payments ADD FOREIGN KEY (file_id) REFERENCES outbound_files(id)",
            """
            CREATE TABLE nacha_files (
                file_id TEXT PRIMARY KEY REFERENCES outbound_files(id),
                immediate_origin TEXT NOT NULL,
                immediate_destination TEXT NOT NULL,
                creation_date TEXT NOT NULL,
                creation_time TEXT NOT NULL,
                file_id_modifier TEXT NOT NULL,
                batch_count BIGINT NOT NULL,
                entry_addenda_count BIGINT NOT NULL,
                entry_hash BIGINT NOT NULL,
                UNIQUE (immediate_origin, immediate_destination, creation_date, file_id_modifier)
            )
            """,
            "CREATE TABLE trace_sequences (odfi BIGINT PRIMARY KEY, next_sequence BIGINT NOT NULL)",
            """
            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                holder TEXT NOT NULL,
                acquired_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE inbound_files (
                id TEXT PRIMARY KEY,
                sha256 TEXT NOT NULL,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                name TEXT NOT NULL,
                size BIGINT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('processed', 'applying', 'duplicate', 'quarantined')),
                reason TEXT,
                applied BIGINT NOT NULL DEFAULT 0,
                applied_events BIGINT NOT NULL DEFAULT 0,
                archive_path TEXT NOT NULL,
                received_at BIGINT NOT NULL
            )
            """,
            // The same bytes are applied (or quarantined) once; later copies are recorded as duplicates.
            "CREATE UNIQUE INDEX inbound_files_sha256 ON inbound_files(sha256) WHERE status <> 'duplicate'",
            """
            CREATE TABLE counterparty_corrections (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX counterparty_corrections_account ON counterparty_corrections(merchant_id, routing_number, account_number, id)",
            """
            CREATE TABLE settled_batches (
                file_id TEXT NOT NULL REFERENCES outbound_files(id),
                batch_number BIGINT NOT NULL,
                inbound_file_id TEXT NOT NULL REFERENCES inbound_files(id),
                amount_cents BIGINT NOT NULL,
                PRIMARY KEY (file_id, batch_number)
            )
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                secret_sha256 TEXT NOT NULL UNIQUE,
                hint TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX api_keys_merchant ON api_keys(merchant_id, id)",
            """
            CREATE TABLE webhook_endpoints (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                url TEXT NOT NULL,
                event_types TEXT NOT NULL,
                enabled BOOLEAN NOT NULL DEFAULT TRUE,
                disabled_reason TEXT,
                failing_since BIGINT,
                idempotency_key TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (merchant_id, idempotency_key)
            )
            """,
            "CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints(merchant_id, enabled)",
            """
            CREATE TABLE webhook_secrets (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
                secret TEXT NOT NULL,
                rotation_key TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                UNIQUE (endpoint_id, rotation_key)
            )
            """,
            "CREATE INDEX webhook_secrets_endpoint ON webhook_secrets(endpoint_id, id)",
            """
            CREATE TABLE webhook_events (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL,
                payment_id TEXT NOT NULL,
                payment_version BIGINT NOT NULL,
                type TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX webhook_events_created ON webhook_events(created_at, id)",
            """
            CREATE TABLE webhook_deliveries (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES webhook_events(id),
                endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
                payment_id TEXT NOT NULL,
                payment_version BIGINT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                last_status_code BIGINT,
                last_error TEXT,
                delivered_at BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (event_id, endpoint_id)
            )
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at, id)",
            """
            CREATE INDEX webhook_deliveries_order ON webhook_deliveries(endpoint_id, payment_id, payment_version)
                WHERE status = 'pending'
            """,
            """
            CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries(endpoint_id, next_attempt_at, id)
                WHERE status = 'pending'
            """,
            """
            CREATE INDEX webhook_deliveries_leased ON webhook_deliveries(endpoint_id, lease_expires_at)
                WHERE lease_owner IS NOT NULL
            """,
            """
            CREATE TABLE webhook_attempts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id),
                event_id TEXT NOT NULL,
                endpoint_id TEXT NOT NULL,
                attempt BIGINT NOT NULL,
                started_at BIGINT NOT NULL,
                status_code BIGINT,
                latency_ms BIGINT NOT NULL,
                error TEXT,
                response_excerpt TEXT
            )
            """,
            "CREATE INDEX webhook_attempts_event ON webhook_attempts(event_id, id)",
        ]),
        // Positive Pay: enrolled accounts, check issues and their append-only history.
        (2, [
            """
            CREATE TABLE check_accounts (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                routing_number TEXT NOT NULL,
                account_number TEXT NOT NULL,
                layout TEXT NOT NULL CHECK (layout IN ('arp', 'header-trailer', 'csv')),
                payee_match BIGINT NOT NULL CHECK (payee_match IN (0, 1)),
                created_at BIGINT NOT NULL,
                UNIQUE (merchant_id, routing_number, account_number)
            )
            """,
            """
            CREATE TABLE check_issues (
                id TEXT PRIMARY KEY,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                account_id TEXT NOT NULL REFERENCES check_accounts(id),
                serial TEXT NOT NULL,
                amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
                issue_date TEXT NOT NULL,
                payee TEXT NOT NULL,
                metadata TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('P_CREATED', 'P_VALIDATED', 'P_SUBMITTED_TO_CORE',
                                                     'P_PROCESSING', 'P_COMPLETED', 'P_FAILED')),
                version BIGINT NOT NULL CHECK (version >= 1),
                failure_code TEXT,
                failure_message TEXT,
                issue_file_id TEXT REFERENCES outbound_files(id),
                issue_file_line BIGINT,
                void_requested_at BIGINT,
                void_file_id TEXT REFERENCES outbound_files(id),
                void_file_line BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (merchant_id, idempotency_key)
            )
            """,
            "CREATE UNIQUE INDEX check_issues_live_serial ON check_issues(account_id, serial) WHERE state <> 'P_FAILED'",
            "CREATE INDEX check_issues_state ON check_issues(state, id)",
            "CREATE INDEX check_issues_account ON check_issues(account_id, id)",
            "CREATE INDEX check_issues_issue_file ON check_issues(issue_file_id, issue_file_line) WHERE issue_file_id IS NOT NULL",
            "CREATE INDEX check_issues_void_file ON check_issues(void_file_id, void_file_line) WHERE void_file_id IS NOT NULL",
            "CREATE INDEX check_issues_void_pending ON check_issues(id) WHERE void_requested_at IS NOT NULL AND void_file_id IS NULL",
            """
            CREATE TABLE check_history (
                id BIGSERIAL PRIMARY KEY,
                check_id TEXT NOT NULL REFERENCES check_issues(id),
                version BIGINT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason_code TEXT NOT NULL,
                reason_text TEXT NOT NULL,
                source_file TEXT,
                source_line BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (check_id, version)
            )
            """,
            """
            CREATE FUNCTION check_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'check and decision history are append-only';
            END $$
            """,
            """
            CREATE TRIGGER check_history_append_only BEFORE UPDATE OR DELETE ON check_history
            FOR EACH ROW EXECUTE FUNCTION check_history_append_only()
            """,
            """
            CREATE TABLE check_exceptions (
                id TEXT PRIMARY KEY,
                bank_reference TEXT NOT NULL,
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                account_id TEXT NOT NULL REFERENCES check_accounts(id),
                check_id TEXT REFERENCES check_issues(id),
                serial TEXT NOT NULL,
                presented_cents BIGINT NOT NULL,
                issued_cents BIGINT,
                presented_payee TEXT NOT NULL,
                reason TEXT NOT NULL,
                default_decision TEXT NOT NULL CHECK (default_decision IN ('pay', 'return')),
                deadline BIGINT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('open', 'decided', 'closed')),
                source_file TEXT NOT NULL,
                source_line BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (account_id, bank_reference)
            )
            """,
            "CREATE INDEX check_exceptions_status ON check_exceptions(status, id)",
            """
            CREATE TABLE check_decisions (
                id TEXT PRIMARY KEY,
                exception_id TEXT NOT NULL REFERENCES check_exceptions(id),
                merchant_id TEXT NOT NULL REFERENCES merchants(id),
                decision TEXT NOT NULL CHECK (decision IN ('pay', 'return')),
                return_reason TEXT,
                state TEXT NOT NULL CHECK (state IN ('P_CREATED', 'P_VALIDATED', 'P_SUBMITTED_TO_CORE',
                                                     'P_PROCESSING', 'P_COMPLETED', 'P_FAILED')),
                version BIGINT NOT NULL CHECK (version >= 1),
                failure_code TEXT,
                failure_message TEXT,
                file_id TEXT REFERENCES outbound_files(id),
                file_line BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX check_decisions_state ON check_decisions(state, id)",
            "CREATE INDEX check_decisions_file ON check_decisions(file_id) WHERE file_id IS NOT NULL",
            """
            CREATE TABLE decision_history (
                id BIGSERIAL PRIMARY KEY,
                decision_id TEXT NOT NULL REFERENCES check_decisions(id),
                version BIGINT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason_code TEXT NOT NULL,
                reason_text TEXT NOT NULL,
                source_file TEXT,
                source_line BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (decision_id, version)
            )
            """,
            """
            CREATE TRIGGER decision_history_append_only BEFORE UPDATE OR DELETE ON decision_history
            FOR EACH ROW EXECUTE FUNCTION check_history_append_only()
            """,
        ]),
        // The outbox announces checks and exceptions too: an event's subject is any of them.
        (3, [
            "ALTER TABLE webhook_events RENAME COLUMN payment_id TO subject_id",
            "ALTER TABLE webhook_events RENAME COLUMN payment_version TO subject_version",
            "ALTER TABLE webhook_deliveries RENAME COLUMN payment_id TO subject_id",
            "ALTER TABLE webhook_deliveries RENAME COLUMN payment_version TO subject_version",
        ]),
        // A check created over the API keeps its first response with its key, for replays (as payments do).
        (4, ["ALTER TABLE check_issues ADD COLUMN response_body TEXT"]),
        // OpenPGP-sealed files: the plaintext rendered and archived beside the sealed bytes sent.
        (5, [
            """
            CREATE TABLE sealed_files (
                file_id TEXT PRIMARY KEY REFERENCES outbound_files(id),
                plaintext_sha256 TEXT NOT NULL,
                plaintext_size BIGINT NOT NULL,
                plaintext_archive_path TEXT NOT NULL,
                recipient TEXT NOT NULL,
                signer TEXT
            )
            """,
        ]),
        // OpenPGP files from the bank: the bytes received beside the plaintext read, and who signed them.
        (6, [
            "ALTER TABLE inbound_files ADD COLUMN sealed_archive_path TEXT",
            "ALTER TABLE inbound_files ADD COLUMN plaintext_sha256 TEXT",
            "ALTER TABLE inbound_files ADD COLUMN signer TEXT",
        ]),
        // Bank profiles and Same Day ACH: where a payment goes and when it settles; what an operator
        // should know about an applied bank file.
        (7, [
            "ALTER TABLE payments ADD COLUMN settlement TEXT NOT NULL DEFAULT 'next_day'",
            "ALTER TABLE payments ADD COLUMN profile TEXT",
            "ALTER TABLE inbound_files ADD COLUMN notes TEXT",
        ]),
        // What a bank file changed (`metl ingest show`), found by the history rows that name it.
        (8, [
            "CREATE INDEX payment_history_source ON payment_history(source_file, source_line) WHERE source_file IS NOT NULL",
            "CREATE INDEX check_history_source ON check_history(source_file, source_line) WHERE source_file IS NOT NULL",
            "CREATE INDEX decision_history_source ON decision_history(source_file, source_line) WHERE source_file IS NOT NULL",
        ]),
        // What bank files said against the ledger (`metl reconcile`, `metl checks discrepancies`).
        (9, [
            "CREATE INDEX payment_history_discrepancies ON payment_history(created_at) WHERE reason_code = 'discrepancy'",
            "CREATE INDEX check_history_discrepancies ON check_history(created_at) WHERE reason_code = 'discrepancy'",
        ]),
        // The day a check was paid: a paid record of another day is another presentment.
        (10, ["ALTER TABLE check_issues ADD COLUMN paid_on TEXT"]),
        // An enrolment an operator turned off: it takes no checks and bank files no longer match it.
        (11, ["ALTER TABLE check_accounts ADD COLUMN disabled_at BIGINT"]),
        // A quarantined bank file an operator closed: who, when, why, and the file that replaced it.
        (12, [
            "ALTER TABLE inbound_files DROP CONSTRAINT inbound_files_status_check",
            "ALTER TABLE inbound_files ADD CONSTRAINT inbound_files_status_check CHECK (status IN ('processed', 'applying', 'duplicate', 'quarantined', 'dismissed'))",
            "ALTER TABLE inbound_files ADD COLUMN dismissed_at BIGINT",
            "ALTER TABLE inbound_files ADD COLUMN dismissed_by TEXT",
            "ALTER TABLE inbound_files ADD COLUMN dismissal_reason TEXT",
            "ALTER TABLE inbound_files ADD COLUMN superseded_by TEXT",
        ]),
        // Each try at delivering a file that failed before the bank had it: when, and why.
        (13, [
            """
            CREATE TABLE delivery_failures (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                file_id TEXT NOT NULL REFERENCES outbound_files(id),
                failed_at BIGINT NOT NULL,
                error TEXT NOT NULL
            )
            """,
            "CREATE INDEX delivery_failures_file ON delivery_failures(file_id, id)",
        ]),
        // An operator's grant to deliver to a loopback or private address, for one endpoint.
        (14, ["ALTER TABLE webhook_endpoints ADD COLUMN allow_private BOOLEAN NOT NULL DEFAULT FALSE"]),
        // The people who operate metl, their roles and credentials.
        (15, [
            """
            CREATE TABLE operators (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                roles TEXT NOT NULL,
                email TEXT,
                password_hash TEXT,
                totp_secret TEXT,
                totp_last_step BIGINT,
                disabled_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL CHECK (version >= 1)
            )
            """,
            """
            CREATE TABLE operator_history (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                operator_id TEXT NOT NULL REFERENCES operators(id),
                version BIGINT NOT NULL,
                actor TEXT NOT NULL,
                change TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX operator_history_operator ON operator_history(operator_id, id)",
        ]),
        // Four-eyes approval: what a held payment or file needs and has, when a held file's window
        // closes, and every approver's decision, append-only.
        (16, [
            "ALTER TABLE payments ADD COLUMN approvals_required BIGINT NOT NULL DEFAULT 0 CHECK (approvals_required >= 0)",
            "ALTER TABLE payments ADD COLUMN approvals_given BIGINT NOT NULL DEFAULT 0 CHECK (approvals_given >= 0)",
            "ALTER TABLE outbound_files ADD COLUMN approvals_required BIGINT NOT NULL DEFAULT 0 CHECK (approvals_required >= 0)",
            "ALTER TABLE outbound_files ADD COLUMN approvals_given BIGINT NOT NULL DEFAULT 0 CHECK (approvals_given >= 0)",
            "ALTER TABLE outbound_files ADD COLUMN approval_deadline BIGINT",
            "ALTER TABLE outbound_files DROP CONSTRAINT outbound_files_status_check",
            """
            ALTER TABLE outbound_files ADD CONSTRAINT outbound_files_status_check
                CHECK (status IN ('awaiting_approval', 'rendered', 'uploading', 'uploaded', 'failed', 'cancelled', 'rejected', 'expired'))
            """,
            """
            CREATE TABLE approvals (
                id TEXT PRIMARY KEY,
                subject TEXT NOT NULL CHECK (subject IN ('payment', 'file')),
                subject_id TEXT NOT NULL,
                ordinal BIGINT NOT NULL CHECK (ordinal >= 1),
                operator TEXT NOT NULL,
                decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
                sha256 TEXT NOT NULL,
                reason TEXT,
                created_at BIGINT NOT NULL,
                UNIQUE (subject_id, ordinal)
            )
            """,
            """
            CREATE FUNCTION approvals_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'approvals are append-only';
            END $$
            """,
            """
            CREATE TRIGGER approvals_append_only BEFORE UPDATE OR DELETE ON approvals
            FOR EACH ROW EXECUTE FUNCTION approvals_append_only()
            """,
        ]),
        // The audit log: each covered row's change set (from the transaction's `metl.change_set`),
        // the hash-chained entries, and the head row whose lock orders them. Rows written before it
        // carry no change set: the genesis entry covers them.
        (17, [
            "ALTER TABLE payment_history ADD COLUMN change_set TEXT",
            "ALTER TABLE payment_history ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX payment_history_change_set ON payment_history(change_set)",
            "ALTER TABLE check_history ADD COLUMN change_set TEXT",
            "ALTER TABLE check_history ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX check_history_change_set ON check_history(change_set)",
            "ALTER TABLE decision_history ADD COLUMN change_set TEXT",
            "ALTER TABLE decision_history ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX decision_history_change_set ON decision_history(change_set)",
            "ALTER TABLE funding_ledger ADD COLUMN change_set TEXT",
            "ALTER TABLE funding_ledger ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX funding_ledger_change_set ON funding_ledger(change_set)",
            "ALTER TABLE approvals ADD COLUMN change_set TEXT",
            "ALTER TABLE approvals ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX approvals_change_set ON approvals(change_set)",
            "ALTER TABLE operator_history ADD COLUMN change_set TEXT",
            "ALTER TABLE operator_history ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX operator_history_change_set ON operator_history(change_set)",
            "ALTER TABLE delivery_failures ADD COLUMN change_set TEXT",
            "ALTER TABLE delivery_failures ALTER COLUMN change_set SET DEFAULT NULLIF(current_setting('metl.change_set', true), '')",
            "CREATE INDEX delivery_failures_change_set ON delivery_failures(change_set)",
            """
            CREATE TABLE audit_log (
                sequence BIGINT PRIMARY KEY CHECK (sequence >= 1),
                created_at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subjects TEXT NOT NULL,
                detail TEXT NOT NULL,
                change_set TEXT NOT NULL,
                row_count BIGINT NOT NULL,
                rows_digest TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_log_change_set ON audit_log(change_set)",
            """
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END $$
            """,
            """
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
            """,
            "CREATE TABLE audit_head (id BIGINT PRIMARY KEY CHECK (id = 1), sequence BIGINT NOT NULL, hash TEXT NOT NULL)",
            "INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')",
        ]),
        // Amount-range searches (the console, `GET /payments?min_amount=`) read this index.
        (18, [
            "CREATE INDEX payments_amount ON payments(amount_cents, id) WHERE import_id IS NULL",
        ]),
        // Alerts, one open per code and key, and the messages owed to channels about them.
        (19, [
            """
            CREATE TABLE alerts (
                id TEXT PRIMARY KEY, code TEXT NOT NULL, severity TEXT NOT NULL, key TEXT NOT NULL, summary TEXT NOT NULL,
                status TEXT NOT NULL, count BIGINT NOT NULL, raised_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL,
                resolved_at BIGINT, acknowledged_by TEXT, acknowledged_at BIGINT)
            """,
            "CREATE UNIQUE INDEX alerts_open ON alerts(code, key) WHERE status = 'open'",
            "CREATE INDEX alerts_status ON alerts(status, id)",
            """
            CREATE TABLE alert_notifications (
                id TEXT PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id), channel TEXT NOT NULL, event TEXT NOT NULL,
                status TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL, last_error TEXT, created_at BIGINT NOT NULL,
                lease_owner TEXT, lease_until BIGINT)
            """,
            "CREATE INDEX alert_notifications_alert ON alert_notifications(alert_id)",
            "CREATE INDEX alert_notifications_due ON alert_notifications(status, next_attempt_at)",
        ]),
        // The bank profile whose cutoff rendered a file (the console and `metl files list` filter on it).
        (20, [
            "ALTER TABLE outbound_files ADD COLUMN profile TEXT",
        ]),
        // The console's sessions, kept where every metl serve on the database sees them.
        (21, [
            """
            CREATE TABLE operator_sessions (
                key TEXT PRIMARY KEY, operator_name TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL, notice TEXT, notice_is_error BOOLEAN NOT NULL
            )
            """,
            "CREATE INDEX operator_sessions_operator ON operator_sessions(operator_name)",
        ]),
        // Refused console sign-ins, counted by every server on the database for the lock-out.
        (22, [
            "CREATE TABLE sign_in_refusals (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, refused_at BIGINT NOT NULL)",
            "CREATE INDEX sign_in_refusals_name ON sign_in_refusals(name, refused_at)",
            "CREATE INDEX sign_in_refusals_at ON sign_in_refusals(refused_at)",
        ]),
    ]

    /// The newest version this build knows.
    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the schema to `latestVersion`, each migration in a transaction of its own, holding the
    /// migration lock throughout. A database newer than this build is refused, not downgraded.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        let session = Session(connection: connection, logger: logger)
        try await session.count("SELECT pg_advisory_lock(\(migrationLock))")
        do {
            try await session.count("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)
                """)
            let applied = try await session.value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", as: Int.self) ?? 0
            guard applied <= latestVersion else {
                throw StoreError(.unavailable, "the database is at schema version \(applied), newer than this build's \(latestVersion)")
            }
            for migration in migrations where migration.version > applied {
                try await connection.withTransaction(logger: logger) { connection in
                    let session = Session(connection: connection, logger: logger)
                    for statement in migration.sql { try await session.count(PostgresQuery(unsafeSQL: statement)) }
                    try await session.count("""
                        INSERT INTO schema_migrations (version, applied_at)
                        VALUES (\(migration.version), (extract(epoch FROM now()) * 1000)::bigint)
                        """)
                }
                logger.info("migrated the PostgreSQL schema", metadata: ["version": "\(migration.version)"])
            }
        } catch {
            _ = try? await session.count("SELECT pg_advisory_unlock(\(migrationLock))")
            throw error
        }
        try await session.count("SELECT pg_advisory_unlock(\(migrationLock))")
    }
}
