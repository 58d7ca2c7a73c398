import Foundation
import GRDB
import NACHA
import Payments

extension SQLiteStore: OutboundFileStore {
    public func acquireLease(_ name: String, owner: String, holder: String, expiresAt: Date,
                             isGone: @escaping @Sendable (String) -> Bool) async throws {
        try await write("taking the \(name) lease") { db in
            let now = Self.milliseconds(Date())
            if let row = try Row.fetchOne(db, sql: "SELECT owner, holder, expires_at FROM leases WHERE name = ?", arguments: [name]),
               row["owner"] as String != owner, row["expires_at"] as Int64 > now, !isGone(row["holder"]) {
                let until = Timestamp.format(Self.date(row["expires_at"]))
                throw StoreError(.leaseHeld, "the \(name) lock is held by \(row["holder"] as String) until \(until)")
            }
            try db.execute(sql: """
                INSERT INTO leases (name, owner, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, holder = excluded.holder,
                    acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
                """, arguments: [name, owner, holder, now, Self.milliseconds(expiresAt)])
        }
    }

    public func releaseLease(_ name: String, owner: String) async throws {
        try await write("releasing the \(name) lease") { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND owner = ?", arguments: [name, owner])
        }
    }

    public func leases() async throws -> [HeldLease] {
        try await read("listing leases") { db in
            try Row.fetchAll(db, sql: "SELECT name, holder, acquired_at, expires_at FROM leases ORDER BY name").map {
                HeldLease(name: $0["name"], holder: $0["holder"], acquiredAt: Self.date($0["acquired_at"]), expiresAt: Self.date($0["expires_at"]))
            }
        }
    }

    public func unboundValidatedPayments(limit: Int) async throws -> [PendingPayment] {
        try await read("collecting validated payments") { db in
            var merchants: [String: Merchant] = [:]
            return try Array(Row.fetchCursor(db, sql: """
                SELECT \(Payment.columnList) FROM payments WHERE state = 'P_VALIDATED' AND file_id IS NULL AND import_id IS NULL
                ORDER BY id LIMIT ?
                """, arguments: [limit]).map { row in
                let payment = try Payment(row)
                if merchants[payment.merchantID] == nil {
                    merchants[payment.merchantID] = try Row.fetchOne(db, sql: "SELECT \(Merchant.columnList) FROM merchants WHERE id = ?",
                                                                     arguments: [payment.merchantID]).map(Merchant.init(_:))
                }
                guard let merchant = merchants[payment.merchantID] else {
                    throw PaymentError(.merchantNotFound, "no merchant \(payment.merchantID)")
                }
                return PendingPayment(payment: payment, merchant: merchant)
            })
        }
    }

    public func reserveTraceNumbers(odfi: Int, count: Int) async throws -> Int {
        try await write("reserving trace numbers") { db in
            let next = try Int.fetchOne(db, sql: "SELECT next_sequence FROM trace_sequences WHERE odfi = ?", arguments: [odfi]) ?? 1
            try db.execute(sql: """
                INSERT INTO trace_sequences (odfi, next_sequence) VALUES (?, ?)
                ON CONFLICT (odfi) DO UPDATE SET next_sequence = excluded.next_sequence
                """, arguments: [odfi, try TraceSequence.reserving(count, from: next, odfi: odfi)])
            return next
        }
    }

    public func usedFileIDModifiers(origin: String, destination: String, date: ACHDate) async throws -> Set<String> {
        try await read("reading file ID modifiers") { db in
            Set(try String.fetchAll(db, sql: """
                SELECT file_id_modifier FROM nacha_files
                WHERE immediate_origin = ? AND immediate_destination = ? AND creation_date = ?
                """, arguments: [origin, destination, date.description]))
        }
    }

    public func recordRenderedFile(_ file: OutboundFile, binding: LedgerPlan) async throws {
        let faults = self.faults
        try await write("recording an outbound file", audit: AuditRecord(actor: .cutoff, action: .fileRendered, subjects: [file.id],
                                                                         detail: file.status.rawValue)) { db in
            try Self.insert(file, db)
            try LedgerPlanWriter.persist(binding, db, faults: faults)
        }
    }

    public func outboundFile(id: String) async throws -> OutboundFile {
        try await read("reading an outbound file") { db in try Self.outboundFile(db, id: id) }
    }

    public func outboundFiles(statuses: [OutboundFileStatus]?) async throws -> [OutboundFile] {
        try await read("listing outbound files") { db in
            guard let statuses else {
                return try Row.fetchAll(db, sql: "\(OutboundFile.storedSelect) ORDER BY f.id").map(OutboundFile.init(_:))
            }
            let marks = statuses.map { _ in "?" }.joined(separator: ", ")
            return try Row.fetchAll(db, sql: "\(OutboundFile.storedSelect) WHERE f.status IN (\(marks)) ORDER BY f.id",
                                    arguments: StatementArguments(statuses.map(\.rawValue))).map(OutboundFile.init(_:))
        }
    }

    public func filePayments(fileID: String, afterLine: Int, limit: Int) async throws -> [(payment: Payment, binding: FileBinding)] {
        let rows = try await read("reading a file's payments") { db in
            _ = try Self.outboundFile(db, id: fileID)
            return try Row.fetchAll(db, sql: """
                SELECT \(Payment.columnList) FROM payments WHERE file_id = ? AND file_line > ? ORDER BY file_line LIMIT ?
                """, arguments: [fileID, afterLine, limit])
                .map { row in
                    (try Payment(row), FileBinding(paymentID: row["id"], batchNumber: row["batch_number"],
                                                          traceNumber: row["trace_number"], line: row["file_line"],
                                                          effectiveDate: (row["entry_effective_date"] as String?).flatMap(ACHDate.init(iso:))))
                }
        }
        return rows.map { (payment: $0.0, binding: $0.1) }
    }

    public func boundRequests(fileID: String) async throws -> [BoundRequest] {
        try await read("reading a file's payments") { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, merchant_id, state, version FROM payments WHERE file_id = ?"),
                             arguments: [fileID]).map { row in
                BoundRequest(id: row[0], merchantID: row[1], state: try StoredColumn.decode(row[2], table: "payments", column: "state"),
                             version: row[3])
            }
        }
    }

    public func recordDeliveryFailures(_ failures: [DeliveryFailure]) async throws {
        let record = AuditRecord(actor: .cutoff, action: .deliveryFailed, subjects: failures.map(\.fileID), detail: failures.first?.error ?? "")
        try await write("recording delivery failures", audit: record) { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO delivery_failures (file_id, failed_at, error, change_set) VALUES (?, ?, ?, metl_change_set('delivery_failures'))")
            for failure in failures { try insert.execute(arguments: [failure.fileID, Self.milliseconds(failure.at), failure.error]) }
        }
    }

    public func deliveryFailures(fileIDs: [String]) async throws -> [DeliveryFailure] {
        try await read("reading delivery failures") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(DeliveryFailure.columnList) FROM delivery_failures
                WHERE file_id IN (SELECT value FROM json_each(?)) ORDER BY file_id, id
                """, arguments: [try Self.jsonList(fileIDs)]).map(DeliveryFailure.init(_:))
        }
    }

    public func recordFileChange(_ file: OutboundFile, from status: OutboundFileStatus, ledger: LedgerPlan, checks: CheckPlan) async throws {
        let faults = self.faults
        try await write("recording a file's change", audit: AuditRecord(fileChange: file, from: status, ledger: ledger)) { db in
            try Self.updateStatus(of: file, from: status, db)
            try LedgerPlanWriter.persist(ledger, db, faults: faults)
            try CheckPlanWriter.persist(checks, db)
        }
    }

    // MARK: Rows

    static func insert(_ file: OutboundFile, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO outbound_files (id, kind, name, sha256, size, status, entry_count, total_debit_cents, total_credit_cents,
                archive_path, remote_path, attempts, failure_reason, created_at, updated_at, uploaded_at, approvals_required, approvals_given,
                approval_deadline, profile)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                file.id, file.kind.rawValue, file.name, file.sha256, file.size, file.status.rawValue, file.entryCount, file.totalDebit,
                file.totalCredit, file.archivePath, file.remotePath, file.attempts, file.failureReason, milliseconds(file.createdAt),
                milliseconds(file.updatedAt), file.uploadedAt.map(milliseconds), file.approval?.required ?? 0, file.approval?.given ?? 0,
                file.approvalDeadline.map(milliseconds), file.profile,
            ])
        if let sealing = file.sealing {
            try db.execute(sql: """
                INSERT INTO sealed_files (file_id, plaintext_sha256, plaintext_size, plaintext_archive_path, recipient, signer)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [file.id, sealing.plaintextSHA256, sealing.plaintextSize, sealing.plaintextArchivePath, sealing.recipient,
                                 sealing.signer])
        }
        guard let nacha = file.nacha else { return }
        try db.execute(sql: """
            INSERT INTO nacha_files (file_id, immediate_origin, immediate_destination, creation_date, creation_time, file_id_modifier,
                batch_count, entry_addenda_count, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                file.id, nacha.immediateOrigin, nacha.immediateDestination, nacha.creationDate.description,
                String(format: "%02d:%02d", nacha.creationTime.hour, nacha.creationTime.minute), nacha.fileIDModifier,
                nacha.batchCount, nacha.entryAddendaCount, nacha.entryHash,
            ])
    }

    /// Writes what the lifecycle changes on a file row (`OutboundFile.startUpload` and the others).
    /// Writes what the lifecycle changes on a file row, while it is still in `status`.
    static func updateStatus(of file: OutboundFile, from status: OutboundFileStatus, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE outbound_files SET status = ?, attempts = ?, failure_reason = ?, remote_path = ?, uploaded_at = ?, updated_at = ?,
                approvals_given = ?
            WHERE id = ? AND status = ?
            """, arguments: [file.status.rawValue, file.attempts, file.failureReason, file.remotePath,
                             file.uploadedAt.map(milliseconds), milliseconds(file.updatedAt), file.approval?.given ?? 0, file.id, status.rawValue])
        guard db.changesCount == 1 else { throw StoreError(.conflict, "file \(file.id) is no longer \(status.rawValue)") }
    }

    static func outboundFile(_ db: Database, id: String) throws -> OutboundFile {
        guard let row = try Row.fetchOne(db, sql: "\(OutboundFile.storedSelect) WHERE f.id = ? OR f.name = ?", arguments: [id, id]) else {
            throw PaymentError(.notFound, "no outbound file \(id)")
        }
        return try OutboundFile(row)
    }
}
