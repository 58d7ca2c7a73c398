import Foundation
import NACHA
import Payments
import PostgresNIO

extension PostgresStore: OutboundFileStore {
    /// A lease is a row with an expiry. The row is locked while it is decided on, so of two instances
    /// asking at once one takes it and the other sees it taken.
    public func acquireLease(_ name: String, owner: String, holder: String, expiresAt: Date,
                             isGone: @escaping @Sendable (String) -> Bool) async throws {
        try await transaction("taking the \(name) lease") { session in
            let now = Self.milliseconds(Date())
            let until = Self.milliseconds(expiresAt)
            let inserted = try await session.count("""
                INSERT INTO leases (name, owner, holder, acquired_at, expires_at) VALUES (\(name), \(owner), \(holder), \(now), \(until))
                ON CONFLICT (name) DO NOTHING
                """)
            guard inserted == 0 else { return }
            if let row = try await session.rows("SELECT owner, holder, expires_at FROM leases WHERE name = \(name) FOR UPDATE").first {
                let (current, currentHolder, expires) = try row.decode((String, String, Int64).self)
                if current != owner, expires > now, !isGone(currentHolder) {
                    let until = Timestamp.format(Self.date(expires))
                    throw StoreError(.leaseHeld, "the \(name) lock is held by \(currentHolder) until \(until)")
                }
            }
            try await session.count("""
                UPDATE leases SET owner = \(owner), holder = \(holder), acquired_at = \(now), expires_at = \(until) WHERE name = \(name)
                """)
        }
    }

    public func releaseLease(_ name: String, owner: String) async throws {
        try await transaction("releasing the \(name) lease") { session in
            _ = try await session.count("DELETE FROM leases WHERE name = \(name) AND owner = \(owner)")
        }
    }

    public func leases() async throws -> [HeldLease] {
        try await read("listing leases") { session in
            try await session.rows("SELECT name, holder, acquired_at, expires_at FROM leases ORDER BY name").map { row in
                let (name, holder, acquired, expires) = try row.decode((String, String, Int64, Int64).self)
                return HeldLease(name: name, holder: holder, acquiredAt: Self.date(acquired), expiresAt: Self.date(expires))
            }
        }
    }

    public func unboundValidatedPayments(limit: Int) async throws -> [PendingPayment] {
        try await read("collecting validated payments") { session in
            let payments = try await session.rows("""
                SELECT \(unescaped: Payment.columnList) FROM payments
                WHERE state = \(PaymentState.validated.rawValue) AND file_id IS NULL AND import_id IS NULL
                ORDER BY id LIMIT \(limit)
                """).map(Payment.init(_:))
            let merchantIDs = Array(Set(payments.map(\.merchantID)))
            let merchants = Dictionary(uniqueKeysWithValues: try await session.rows("""
                SELECT \(unescaped: Merchant.columnList) FROM merchants WHERE id = ANY(\(merchantIDs))
                """).map { row in
                let merchant = try Merchant(row)
                return (merchant.id, merchant)
            })
            return try payments.map { payment in
                guard let merchant = merchants[payment.merchantID] else {
                    throw PaymentError(.merchantNotFound, "no merchant \(payment.merchantID)")
                }
                return PendingPayment(payment: payment, merchant: merchant)
            }
        }
    }

    public func reserveTraceNumbers(odfi: Int, count: Int) async throws -> Int {
        try await transaction("reserving trace numbers") { session in
            // The row lock serializes reservations: the next one reads what this one wrote.
            try await session.count("INSERT INTO trace_sequences (odfi, next_sequence) VALUES (\(odfi), 1) ON CONFLICT (odfi) DO NOTHING")
            let next = try await session.value("SELECT next_sequence FROM trace_sequences WHERE odfi = \(odfi) FOR UPDATE", as: Int.self) ?? 1
            let after = try TraceSequence.reserving(count, from: next, odfi: odfi)
            try await session.count("UPDATE trace_sequences SET next_sequence = \(after) WHERE odfi = \(odfi)")
            return next
        }
    }

    public func usedFileIDModifiers(origin: String, destination: String, date: ACHDate) async throws -> Set<String> {
        try await read("reading file ID modifiers") { session in
            Set(try await session.rows("""
                SELECT file_id_modifier FROM nacha_files
                WHERE immediate_origin = \(origin) AND immediate_destination = \(destination) AND creation_date = \(date.description)
                """).map { try $0.decode(String.self) })
        }
    }

    public func recordRenderedFile(_ file: OutboundFile, binding: LedgerPlan) async throws {
        let faults = self.faults
        try await transaction("recording an outbound file", audit: AuditRecord(actor: .cutoff, action: .fileRendered, subjects: [file.id],
                                                                               detail: file.status.rawValue)) { session in
            try await Self.insert(file, session)
            try await PostgresPlanWriter.persist(binding, session, faults: faults)
        }
    }

    public func outboundFile(id: String) async throws -> OutboundFile {
        try await read("reading an outbound file") { session in try await Self.outboundFile(session, id: id) }
    }

    public func outboundFiles(statuses: [OutboundFileStatus]?) async throws -> [OutboundFile] {
        try await read("listing outbound files") { session in
            let names = statuses?.map(\.rawValue)
            return try await session.rows("""
                \(unescaped: OutboundFile.storedSelect) WHERE \(names == nil) OR f.status = ANY(\(names ?? []))
                ORDER BY f.id
                """).map(OutboundFile.init(_:))
        }
    }

    public func filePayments(fileID: String, afterLine: Int, limit: Int) async throws -> [(payment: Payment, binding: FileBinding)] {
        try await read("reading a file's payments") { session in
            _ = try await Self.outboundFile(session, id: fileID)
            return try await session.rows("""
                SELECT \(unescaped: Payment.columnList) FROM payments WHERE file_id = \(fileID) AND file_line > \(afterLine)
                ORDER BY file_line LIMIT \(Int64(clamping: limit))
                """).map { row -> (payment: Payment, binding: FileBinding) in
                let payment = try Payment(row)
                let submission = payment.submission
                return (payment, FileBinding(paymentID: payment.id, batchNumber: submission?.batchNumber ?? 0,
                                             traceNumber: submission?.traceNumber ?? 0, line: submission?.line ?? 0,
                                             effectiveDate: submission?.entryEffectiveDate))
            }
        }
    }

    public func boundRequests(fileID: String) async throws -> [BoundRequest] {
        try await read("reading a file's payments") { session in
            try await session.rows("SELECT id, merchant_id, state, version FROM payments WHERE file_id = \(fileID)").map { row in
                let (id, merchant, state, version) = try row.decode((String, String, String, Int).self)
                return BoundRequest(id: id, merchantID: merchant, state: try StoredColumn.decode(state, table: "payments", column: "state"),
                                    version: version)
            }
        }
    }

    public func recordDeliveryFailures(_ failures: [DeliveryFailure]) async throws {
        try await transaction("recording delivery failures", audit: AuditRecord(actor: .cutoff, action: .deliveryFailed,
                                                                                subjects: failures.map(\.fileID),
                                                                                detail: failures.first?.error ?? "")) { session in
            try await session.count("""
                INSERT INTO delivery_failures (file_id, failed_at, error)
                SELECT * FROM unnest(\(failures.map(\.fileID))::text[], \(failures.map { Self.milliseconds($0.at) })::bigint[],
                                     \(failures.map(\.error))::text[])
                """)
        }
    }

    public func deliveryFailures(fileIDs: [String]) async throws -> [DeliveryFailure] {
        try await read("reading delivery failures") { session in
            try await session.rows("""
                SELECT \(unescaped: DeliveryFailure.columnList) FROM delivery_failures WHERE file_id = ANY(\(fileIDs)) ORDER BY file_id, id
                """).map(DeliveryFailure.init(_:))
        }
    }

    public func recordFileChange(_ file: OutboundFile, from status: OutboundFileStatus, ledger: LedgerPlan, checks: CheckPlan) async throws {
        let faults = self.faults
        try await transaction("recording a file's change", audit: AuditRecord(fileChange: file, from: status, ledger: ledger)) { session in
            try await Self.updateStatus(of: file, from: status, session)
            try await PostgresPlanWriter.persist(ledger, session, faults: faults)
            try await PostgresCheckPlanWriter.persist(checks, session)
        }
    }

    // MARK: Rows

    static func insert(_ file: OutboundFile, _ session: Session) async throws {
        try await session.count("""
            INSERT INTO outbound_files (id, kind, name, sha256, size, status, entry_count, total_debit_cents, total_credit_cents,
                archive_path, remote_path, attempts, failure_reason, created_at, updated_at, uploaded_at, approvals_required, approvals_given,
                approval_deadline, profile)
            VALUES (\(file.id), \(file.kind.rawValue), \(file.name), \(file.sha256), \(file.size), \(file.status.rawValue),
                    \(file.entryCount), \(file.totalDebit), \(file.totalCredit), \(file.archivePath), \(file.remotePath),
                    \(file.attempts), \(file.failureReason), \(milliseconds(file.createdAt)), \(milliseconds(file.updatedAt)),
                    \(file.uploadedAt.map(milliseconds)), \(file.approval?.required ?? 0), \(file.approval?.given ?? 0),
                    \(file.approvalDeadline.map(milliseconds)), \(file.profile))
            """)
        if let sealing = file.sealing {
            try await session.count("""
                INSERT INTO sealed_files (file_id, plaintext_sha256, plaintext_size, plaintext_archive_path, recipient, signer)
                VALUES (\(file.id), \(sealing.plaintextSHA256), \(sealing.plaintextSize), \(sealing.plaintextArchivePath),
                        \(sealing.recipient), \(sealing.signer))
                """)
        }
        guard let nacha = file.nacha else { return }
        try await session.count("""
            INSERT INTO nacha_files (file_id, immediate_origin, immediate_destination, creation_date, creation_time, file_id_modifier,
                batch_count, entry_addenda_count, entry_hash)
            VALUES (\(file.id), \(nacha.immediateOrigin), \(nacha.immediateDestination), \(nacha.creationDate.description),
                    \(String(format: "%02d:%02d", nacha.creationTime.hour, nacha.creationTime.minute)), \(nacha.fileIDModifier),
                    \(nacha.batchCount), \(nacha.entryAddendaCount), \(nacha.entryHash))
            """)
    }

    /// Writes what the lifecycle changes on a file row (`OutboundFile.startUpload` and the others).
    /// Writes what the lifecycle changes on a file row, while it is still in `status`.
    static func updateStatus(of file: OutboundFile, from status: OutboundFileStatus, _ session: Session) async throws {
        let changed = try await session.count("""
            UPDATE outbound_files SET status = \(file.status.rawValue), attempts = \(file.attempts), failure_reason = \(file.failureReason),
                remote_path = \(file.remotePath), uploaded_at = \(file.uploadedAt.map(milliseconds)), updated_at = \(milliseconds(file.updatedAt)),
                approvals_given = \(file.approval?.given ?? 0)
            WHERE id = \(file.id) AND status = \(status.rawValue)
            """)
        guard changed == 1 else { throw StoreError(.conflict, "file \(file.id) is no longer \(status.rawValue)") }
    }

    /// A file by id or name.
    static func outboundFile(_ session: Session, id: String) async throws -> OutboundFile {
        guard let row = try await session.rows("""
            \(unescaped: OutboundFile.storedSelect) WHERE f.id = \(id) OR f.name = \(id)
            """).first else {
            throw PaymentError(.notFound, "no outbound file \(id)")
        }
        return try OutboundFile(row)
    }

}
