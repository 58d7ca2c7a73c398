import BankFiles
import Foundation
import GRDB
import NACHA
import Payments

extension SQLiteStore: InboundFileStore {
    public func inboundFile(sha256: String) async throws -> InboundFile? {
        try await read("looking up an inbound file") { db in
            try Row.fetchOne(db, sql: "SELECT \(InboundFile.columnList) FROM inbound_files WHERE sha256 = ? AND status != 'duplicate'",
                             arguments: [sha256]).map(InboundFile.init(_:))
        }
    }

    public func inboundFiles() async throws -> [InboundFile] {
        try await read("listing inbound files") { db in
            try Row.fetchAll(db, sql: "SELECT \(InboundFile.columnList) FROM inbound_files ORDER BY id").map(InboundFile.init(_:))
        }
    }

    public func inboundFile(id: String) async throws -> InboundFile {
        try await read("reading an inbound file") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(InboundFile.columnList) FROM inbound_files WHERE id = ?", arguments: [id]) else {
                throw PaymentError(.notFound, "no inbound file \(id)")
            }
            return try InboundFile(row)
        }
    }

    public func changes(byInboundFile id: String) async throws -> [InboundChange] {
        try await read("reading what an inbound file changed") { db in
            let source = SourceReference.inboundFile(id: id, line: nil).file
            return try [(InboundChange.Subject.payment, "payment_history", "payment_id"), (.check, "check_history", "check_id"),
                        (.decision, "decision_history", "decision_id")].flatMap { subject, table, column in
                try Row.fetchAll(db, sql: """
                    SELECT \(column) AS payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                           source_line, created_at
                    FROM \(table) WHERE source_file = ? ORDER BY source_line, id
                    """, arguments: [source]).map { InboundChange(subject: subject, entry: try HistoryEntry($0)) }
            }
        }
    }

    public func discrepancies(since: Date) async throws -> [InboundChange] {
        try await read("reading the discrepancies bank files reported") { db in
            try [(InboundChange.Subject.payment, "payment_history", "payment_id"), (.check, "check_history", "check_id")].flatMap { subject, table, column in
                try Row.fetchAll(db, sql: """
                    SELECT \(column) AS payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                           source_line, created_at
                    FROM \(table) WHERE reason_code = ? AND created_at >= ? ORDER BY created_at, id
                    """, arguments: [BankEvent.discrepancyCode, Self.milliseconds(since)]).map {
                    InboundChange(subject: subject, entry: try HistoryEntry($0))
                }
            }
        }
    }

    public func recordInbound(_ file: InboundFile) async throws {
        try await write("recording an inbound file") { db in try Self.insert(file, db) }
    }

    public func retryInbound(_ file: InboundFile) async throws {
        try await write("retrying an inbound file") { db in
            try db.execute(sql: """
                UPDATE inbound_files SET status = ?, reason = ?, applied_events = 0, notes = ?, kind = ?, archive_path = ?,
                    sealed_archive_path = ?, plaintext_sha256 = ?, signer = ?
                WHERE id = ? AND status = 'quarantined'
                """, arguments: [file.status.rawValue, file.reason, file.notesText, file.kind.rawValue, file.archivePath,
                                 file.opening?.sealedArchivePath, file.opening?.plaintextSHA256, file.opening?.signer, file.id])
            guard db.changesCount == 1 else { throw StoreError(.conflict, "inbound file \(file.id) is not quarantined") }
        }
    }

    public func dismissInbound(id: String, _ dismissal: InboundFile.Dismissal) async throws {
        try await write("dismissing an inbound file", audit: AuditRecord(actor: Actor(rawValue: dismissal.person), action: .inboundDismissed, subjects: [id], detail: dismissal.reason)) { db in
            try db.execute(sql: """
                UPDATE inbound_files SET status = ?, dismissed_at = ?, dismissed_by = ?, dismissal_reason = ?, superseded_by = ?
                WHERE id = ? AND status = ?
                """, arguments: [InboundFile.Status.dismissed.rawValue, Self.milliseconds(dismissal.at), dismissal.person,
                                 dismissal.reason, dismissal.supersededBy, id, InboundFile.Status.quarantined.rawValue])
            guard db.changesCount == 1 else { throw StoreError(.conflict, "inbound file \(id) is not quarantined") }
        }
    }

    public func applyInbound(_ file: InboundFile, plan: LedgerPlan, checks: CheckPlan, after appliedEvents: Int?) async throws {
        let faults = self.faults
        try await write("applying an inbound file", audit: AuditRecord(actor: .bankFile, action: .bankFile, subjects: [file.id],
                                                                       detail: "\(file.kind) \(file.status.rawValue)")) { db in
            if let appliedEvents {
                try db.execute(sql: """
                    UPDATE inbound_files SET status = ?, applied = ?, applied_events = ?, notes = ?
                    WHERE id = ? AND status = 'applying' AND applied_events = ?
                    """, arguments: [file.status.rawValue, file.applied, file.appliedEvents, file.notesText, file.id, appliedEvents])
                guard db.changesCount == 1 else {
                    throw StoreError(.conflict, "inbound file \(file.id) is no longer applying at event \(appliedEvents)")
                }
            } else {
                // The ledger row first: corrections refer to it, and its unique hash refuses a second application.
                try Self.insert(file, db)
            }
            try LedgerPlanWriter.persist(plan, db, faults: faults)
            try CheckPlanWriter.persist(checks, db)
            if !checks.newExceptions.isEmpty { try faults.hit(.afterExceptionsWritten) }
        }
    }

    public func payments(ids: [String]) async throws -> [String: Payment] {
        try await read("reading payments") { db in try Self.payments(db, ids: ids) }
    }

    public func payments(traceNumbers: [Int]) async throws -> [Int: Payment] {
        try await read("matching trace numbers") { db in
            var found: [Int: Payment] = [:]
            try Self.chunked(Array(Set(traceNumbers)), db, column: "trace_number") { row in
                found[row["trace_number"]] = try Payment(row)
            }
            return found
        }
    }

    /// Payments by id, read in chunks of `IN (…)` queries rather than one query each.
    static func payments(_ db: Database, ids: [String]) throws -> [String: Payment] {
        var found: [String: Payment] = [:]
        try chunked(Array(Set(ids)), db, column: "id") { row in
            let payment = try Payment(row)
            found[payment.id] = payment
        }
        return found
    }

    /// Rows whose `column` is one of `values`, 500 to a cached statement.
    static func chunked(_ values: [some DatabaseValueConvertible], _ db: Database, column: String, _ body: (Row) throws -> Void) throws {
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(values.count, start + 500)]
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            let statement = try db.cachedStatement(sql: "SELECT \(Payment.columnList) FROM payments WHERE \(column) IN (\(marks)) AND import_id IS NULL")
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(Array(chunk)))
            while let row = try rows.next() { try body(row) }
            start += 500
        }
    }

    public func outboundFile(origin: String, destination: String, creationDate: String, creationTime: String,
                             modifier: String) async throws -> OutboundFile? {
        let date = ACHDate(yymmdd: creationDate)
        let time = creationTime.count == 4 ? "\(creationTime.prefix(2)):\(creationTime.suffix(2))" : creationTime
        return try await read("matching an acknowledgement") { db in
            try Row.fetchOne(db, sql: """
                \(OutboundFile.storedSelect) WHERE n.immediate_origin = ? AND n.immediate_destination = ? AND n.creation_date = ?
                    AND n.creation_time = ? AND n.file_id_modifier = ? AND f.status IN ('uploaded', 'uploading')
                """, arguments: [origin, destination, date?.description ?? creationDate, time, modifier]).map(OutboundFile.init(_:))
        }
    }

    public func unsettledBatches() async throws -> [UnsettledBatch] {
        try await read("listing unsettled batches") { db in
            try Row.fetchAll(db, sql: """
                SELECT f.id AS file_id, f.name AS file_name, p.batch_number, p.direction, p.entry_effective_date,
                       SUM(p.amount_cents) AS total, group_concat(p.id) AS payment_ids
                FROM payments p JOIN outbound_files f ON f.id = p.file_id
                LEFT JOIN settled_batches s ON s.file_id = p.file_id AND s.batch_number = p.batch_number
                WHERE f.status = 'uploaded' AND s.file_id IS NULL
                GROUP BY f.id, p.batch_number
                ORDER BY f.id, p.batch_number
                """).map { row in
                UnsettledBatch(fileID: row["file_id"], fileName: row["file_name"], batchNumber: row["batch_number"],
                               isCredit: row["direction"] == "credit", total: row["total"],
                               effectiveDate: row["entry_effective_date"] ?? "",
                               paymentIDs: (row["payment_ids"] as String).split(separator: ",").map(String.init))
            }
        }
    }

    public func fileStateTotals() async throws -> [(file: OutboundFile, states: [PaymentState: (count: Int, amount: Int64)])] {
        let rows = try await read("totalling outbound files") { db in
            let files = try Row.fetchAll(db, sql: "\(OutboundFile.storedSelect) WHERE f.status != 'cancelled' ORDER BY f.id")
                .map(OutboundFile.init(_:))
            var totals: [String: [String: (Int, Int64)]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT file_id, state, COUNT(*) AS count, SUM(amount_cents) AS amount FROM payments
                WHERE file_id IS NOT NULL GROUP BY file_id, state
                """) {
                totals[row["file_id"], default: [:]][row["state"]] = (row["count"], row["amount"])
            }
            return files.map { file in (file, totals[file.id] ?? [:]) }
        }
        return try rows.map { file, states in
            (file, Dictionary(uniqueKeysWithValues: try states.map { key, value in
                (try StoredColumn.decode(key, as: PaymentState.self, table: "payments", column: "state"), (count: value.0, amount: value.1))
            }))
        }
    }

    public func payments(in state: PaymentState, changedBefore before: Date) async throws -> [Payment] {
        try await read("finding stuck payments") { db in
            try Row.fetchAll(db, sql: "SELECT \(Payment.columnList) FROM payments WHERE state = ? AND updated_at < ? AND import_id IS NULL ORDER BY updated_at",
                             arguments: [state.rawValue, Self.milliseconds(before)]).map(Payment.init(_:))
        }
    }

    static func insert(_ file: InboundFile, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO inbound_files (id, sha256, kind, source, name, size, status, reason, applied, applied_events, archive_path,
                                       received_at, sealed_archive_path, plaintext_sha256, signer, notes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file.id, file.sha256, file.kind.rawValue, file.source, file.name, file.size, file.status.rawValue, file.reason,
                             file.applied, file.appliedEvents, file.archivePath, milliseconds(file.receivedAt),
                             file.opening?.sealedArchivePath, file.opening?.plaintextSHA256, file.opening?.signer, file.notesText])
    }
}
