import Foundation
import GRDB
import NACHA
import Payments

extension SQLiteStore: OutboundFileStore {
    public func acquireLease(_ name: String, owner: String, holder: String, expiresAt: Date,
                             isGone: @escaping @Sendable (String) -> Bool) async throws(PaymentError) {
        try await write("taking the \(name) lease") { db in
            let now = Self.milliseconds(Date())
            if let row = try Row.fetchOne(db, sql: "SELECT owner, holder, expires_at FROM leases WHERE name = ?", arguments: [name]),
               row["owner"] as String != owner, row["expires_at"] as Int64 > now, !isGone(row["holder"]) {
                let until = Timestamp.format(Self.date(row["expires_at"]))
                throw PaymentError(.lockHeld, "the \(name) lock is held by \(row["holder"] as String) until \(until)")
            }
            try db.execute(sql: """
                INSERT INTO leases (name, owner, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, holder = excluded.holder,
                    acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
                """, arguments: [name, owner, holder, now, Self.milliseconds(expiresAt)])
        }
    }

    public func releaseLease(_ name: String, owner: String) async throws(PaymentError) {
        try await write("releasing the \(name) lease") { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND owner = ?", arguments: [name, owner])
        }
    }

    public func unboundValidatedPayments(limit: Int) async throws(PaymentError) -> [PendingPayment] {
        try await read("collecting validated payments") { db in
            var merchants: [String: Merchant] = [:]
            return try Array(Row.fetchCursor(db, sql: """
                SELECT \(SQLiteStore.paymentColumns) FROM payments WHERE state = 'P_VALIDATED' AND file_id IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]).map { row in
                let payment = Self.payment(from: row)
                if merchants[payment.merchantID] == nil {
                    merchants[payment.merchantID] = try Row.fetchOne(db, sql: "SELECT * FROM merchants WHERE id = ?",
                                                                     arguments: [payment.merchantID]).map(Self.merchant(from:))
                }
                guard let merchant = merchants[payment.merchantID] else {
                    throw PaymentError(.merchantNotFound, "no merchant \(payment.merchantID)")
                }
                return PendingPayment(payment: payment, merchant: merchant)
            })
        }
    }

    public func reserveTraceNumbers(odfi: Int, count: Int) async throws(PaymentError) -> Int {
        try await write("reserving trace numbers") { db in
            let next = try Int.fetchOne(db, sql: "SELECT next_sequence FROM trace_sequences WHERE odfi = ?", arguments: [odfi]) ?? 1
            // Seven digits per ODFI; wrapping would reuse traces the 60-day return window may still quote.
            guard next + count - 1 <= 9_999_999 else {
                throw PaymentError(.storage, "trace sequence numbers for ODFI \(odfi) are exhausted")
            }
            try db.execute(sql: """
                INSERT INTO trace_sequences (odfi, next_sequence) VALUES (?, ?)
                ON CONFLICT (odfi) DO UPDATE SET next_sequence = excluded.next_sequence
                """, arguments: [odfi, next + count])
            return next
        }
    }

    public func usedFileIDModifiers(origin: String, destination: String, date: ACHDate) async throws(PaymentError) -> Set<String> {
        try await read("reading file ID modifiers") { db in
            Set(try String.fetchAll(db, sql: """
                SELECT file_id_modifier FROM outbound_files
                WHERE immediate_origin = ? AND immediate_destination = ? AND creation_date = ?
                """, arguments: [origin, destination, date.description]))
        }
    }

    public func recordRenderedFile(_ file: OutboundFile, bindings: [FileBinding]) async throws(PaymentError) {
        try await write("recording an outbound file") { db in
            try Self.insert(file, db)
            let statement = try db.cachedStatement(sql: """
                UPDATE payments SET file_id = ?, batch_number = ?, trace_number = ?, file_line = ?, entry_effective_date = ?
                WHERE id = ? AND state = 'P_VALIDATED' AND file_id IS NULL
                """)
            for binding in bindings {
                try statement.execute(arguments: [file.id, binding.batchNumber, binding.traceNumber, binding.line,
                                                  binding.effectiveDate?.description, binding.paymentID])
                guard db.changesCount == 1 else {
                    throw PaymentError(.invalidStatus, "payment \(binding.paymentID) is no longer an unbound P_VALIDATED payment")
                }
            }
        }
    }

    public func outboundFile(id: String) async throws(PaymentError) -> OutboundFile {
        try await read("reading an outbound file") { db in try Self.outboundFile(db, id: id) }
    }

    public func outboundFiles(statuses: [OutboundFileStatus]?) async throws(PaymentError) -> [OutboundFile] {
        try await read("listing outbound files") { db in
            guard let statuses else {
                return try Row.fetchAll(db, sql: "SELECT * FROM outbound_files ORDER BY id").map(Self.outboundFile(from:))
            }
            let marks = statuses.map { _ in "?" }.joined(separator: ", ")
            return try Row.fetchAll(db, sql: "SELECT * FROM outbound_files WHERE status IN (\(marks)) ORDER BY id",
                                    arguments: StatementArguments(statuses.map(\.rawValue))).map(Self.outboundFile(from:))
        }
    }

    public func filePayments(fileID: String) async throws(PaymentError) -> [(payment: Payment, binding: FileBinding)] {
        let rows = try await read("reading a file's payments") { db in
            _ = try Self.outboundFile(db, id: fileID)
            return try Row.fetchAll(db, sql: "SELECT \(SQLiteStore.paymentColumns) FROM payments WHERE file_id = ? ORDER BY file_line", arguments: [fileID])
                .map { row in
                    (Self.payment(from: row), FileBinding(paymentID: row["id"], batchNumber: row["batch_number"],
                                                          traceNumber: row["trace_number"], line: row["file_line"],
                                                          effectiveDate: (row["entry_effective_date"] as String?).flatMap(ACHDate.init(iso:))))
                }
        }
        return rows.map { (payment: $0.0, binding: $0.1) }
    }

    public func markUploading(fileID: String) async throws(PaymentError) -> OutboundFile {
        try await write("marking a file uploading") { db in
            var file = try Self.outboundFile(db, id: fileID)
            guard [.rendered, .uploading, .failed].contains(file.status) else {
                throw PaymentError(.invalidStatus, "file \(fileID) is \(file.status.rawValue); it cannot be uploaded")
            }
            file.status = .uploading
            file.attempts += 1
            file.failureReason = nil
            file.updatedAt = Date()
            try db.execute(sql: "UPDATE outbound_files SET status = 'uploading', attempts = ?, failure_reason = NULL, updated_at = ? WHERE id = ?",
                           arguments: [file.attempts, Self.milliseconds(file.updatedAt), fileID])
            return file
        }
    }

    public func markUploaded(fileID: String, remotePath: String, actor: Actor) async throws(PaymentError) -> OutboundFile {
        let faults = self.faults
        return try await write("marking a file uploaded") { db in
            var file = try Self.outboundFile(db, id: fileID)
            guard file.status == .uploading || file.status == .rendered else {
                throw PaymentError(.invalidStatus, "file \(fileID) is \(file.status.rawValue), not being uploaded")
            }
            let now = Date()
            file.status = .uploaded
            file.remotePath = remotePath
            file.uploadedAt = now
            file.updatedAt = now
            try db.execute(sql: """
                UPDATE outbound_files SET status = 'uploaded', remote_path = ?, uploaded_at = ?, updated_at = ? WHERE id = ?
                """, arguments: [remotePath, Self.milliseconds(now), Self.milliseconds(now), fileID])
            // One checked transition for the whole file, applied by SQLite row by row: every bound payment
            // must still be P_VALIDATED, and each gets its history row naming the file and its line.
            try PaymentStateMachine.check(paymentID: "(file \(fileID))", from: .validated, to: .submittedToCore)
            let bound = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM payments WHERE file_id = ?", arguments: [fileID]) ?? 0
            let at = Self.milliseconds(now)
            try db.execute(sql: """
                UPDATE payments SET state = 'P_SUBMITTED_TO_CORE', version = version + 1, updated_at = ?
                WHERE file_id = ? AND state = 'P_VALIDATED'
                """, arguments: [at, fileID])
            guard db.changesCount == bound else {
                throw PaymentError(.invalidTransition, "\(bound - db.changesCount) payments of file \(fileID) are no longer P_VALIDATED")
            }
            try faults.hit(.afterStateUpdate)
            try db.execute(sql: """
                INSERT INTO payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text,
                                             source_file, source_line, created_at)
                SELECT id, version, 'P_VALIDATED', 'P_SUBMITTED_TO_CORE', ?, 'file_uploaded', ?, ?, file_line, ?
                FROM payments WHERE file_id = ?
                """, arguments: [actor.rawValue, "in file \(file.name) uploaded to the bank", "outbound:\(fileID)", at, fileID])
            return file
        }
    }

    public func markFailed(fileID: String, reason: String) async throws(PaymentError) -> OutboundFile {
        try await write("marking a file failed") { db in
            var file = try Self.outboundFile(db, id: fileID)
            guard file.status != .uploaded, file.status != .cancelled else {
                throw PaymentError(.invalidStatus, "file \(fileID) is \(file.status.rawValue)")
            }
            file.status = .failed
            file.failureReason = reason
            file.updatedAt = Date()
            try db.execute(sql: "UPDATE outbound_files SET status = 'failed', failure_reason = ?, updated_at = ? WHERE id = ?",
                           arguments: [reason, Self.milliseconds(file.updatedAt), fileID])
            return file
        }
    }

    public func cancelFile(fileID: String, actor: Actor, reason: String) async throws(PaymentError) -> OutboundFile {
        try await write("cancelling a file") { db in
            var file = try Self.outboundFile(db, id: fileID)
            // An `uploading` file may already be at the bank: only files never sent can be cancelled.
            guard file.status == .rendered || (file.status == .failed && file.uploadedAt == nil && file.attempts == 0) else {
                throw PaymentError(.invalidStatus,
                                   "file \(fileID) is \(file.status.rawValue) after \(file.attempts) upload attempts; only a file never sent can be cancelled")
            }
            let now = Date()
            file.status = .cancelled
            file.failureReason = reason
            file.updatedAt = now
            try db.execute(sql: "UPDATE outbound_files SET status = 'cancelled', failure_reason = ?, updated_at = ? WHERE id = ?",
                           arguments: [reason, Self.milliseconds(now), fileID])
            let rows = try Row.fetchAll(db, sql: "SELECT \(SQLiteStore.paymentColumns) FROM payments WHERE file_id = ? ORDER BY file_line", arguments: [fileID])
            for row in rows {
                let payment = Self.payment(from: row)
                let line: Int = row["file_line"]
                // Not a state change, but a change all the same: the binding goes, the version moves on.
                try db.execute(sql: """
                    UPDATE payments SET file_id = NULL, batch_number = NULL, trace_number = NULL, file_line = NULL,
                        entry_effective_date = NULL, version = version + 1, updated_at = ? WHERE id = ?
                    """, arguments: [Self.milliseconds(now), payment.id])
                try Self.appendHistory(db, HistoryEntry(
                    paymentID: payment.id, version: payment.version + 1, fromState: payment.state, toState: payment.state,
                    actor: actor, reasonCode: "file_cancelled", reasonText: "released from cancelled file \(file.name): \(reason)",
                    source: SourceReference(file: "outbound:\(fileID)", line: line), createdAt: now))
            }
            return file
        }
    }

    // MARK: Rows

    static func insert(_ file: OutboundFile, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO outbound_files (id, name, sha256, size, status, immediate_origin, immediate_destination, creation_date,
                creation_time, file_id_modifier, batch_count, entry_addenda_count, entry_hash, total_debit_cents,
                total_credit_cents, archive_path, remote_path, attempts, failure_reason, created_at, updated_at, uploaded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                file.id, file.name, file.sha256, file.size, file.status.rawValue, file.immediateOrigin, file.immediateDestination,
                file.creationDate.description, String(format: "%02d:%02d", file.creationTime.hour, file.creationTime.minute),
                file.fileIDModifier, file.batchCount, file.entryAddendaCount, file.entryHash, file.totalDebit, file.totalCredit,
                file.archivePath, file.remotePath, file.attempts, file.failureReason, milliseconds(file.createdAt),
                milliseconds(file.updatedAt), file.uploadedAt.map(milliseconds),
            ])
    }

    static func outboundFile(_ db: Database, id: String) throws -> OutboundFile {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM outbound_files WHERE id = ? OR name = ?", arguments: [id, id]) else {
            throw PaymentError(.notFound, "no outbound file \(id)")
        }
        return outboundFile(from: row)
    }

    static func outboundFile(from row: Row) -> OutboundFile {
        let time: String = row["creation_time"]
        let parts = time.split(separator: ":").compactMap { Int($0) }
        return OutboundFile(
            id: row["id"], name: row["name"], sha256: row["sha256"], size: row["size"],
            status: OutboundFileStatus(rawValue: row["status"]) ?? .failed, immediateOrigin: row["immediate_origin"],
            immediateDestination: row["immediate_destination"],
            creationDate: ACHDate(iso: row["creation_date"] as String) ?? ACHDate(year: 1970, month: 1, day: 1),
            creationTime: ACHTime(hour: parts.first ?? 0, minute: parts.last ?? 0), fileIDModifier: row["file_id_modifier"],
            batchCount: row["batch_count"], entryAddendaCount: row["entry_addenda_count"], entryHash: row["entry_hash"],
            totalDebit: row["total_debit_cents"], totalCredit: row["total_credit_cents"], archivePath: row["archive_path"],
            remotePath: row["remote_path"], attempts: row["attempts"], failureReason: row["failure_reason"],
            createdAt: date(row["created_at"]), updatedAt: date(row["updated_at"]),
            uploadedAt: (row["uploaded_at"] as Int64?).map(date))
    }
}
