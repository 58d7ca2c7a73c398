import BankFiles
import Foundation
import NACHA
import Payments
import PostgresNIO

extension PostgresStore: InboundFileStore {
    public func inboundFile(sha256: String) async throws -> InboundFile? {
        try await read("looking up an inbound file") { session in
            try await session.rows("""
                SELECT \(unescaped: InboundFile.columnList) FROM inbound_files WHERE sha256 = \(sha256) AND status <> 'duplicate'
                """).first.map(InboundFile.init(_:))
        }
    }

    public func inboundFiles() async throws -> [InboundFile] {
        try await read("listing inbound files") { session in
            try await session.rows("SELECT \(unescaped: InboundFile.columnList) FROM inbound_files ORDER BY id").map(InboundFile.init(_:))
        }
    }

    public func inboundFile(id: String) async throws -> InboundFile {
        try await read("reading an inbound file") { session in
            guard let row = try await session.rows("SELECT \(unescaped: InboundFile.columnList) FROM inbound_files WHERE id = \(id)").first else {
                throw PaymentError(.notFound, "no inbound file \(id)")
            }
            return try InboundFile(row)
        }
    }

    public func changes(byInboundFile id: String) async throws -> [InboundChange] {
        try await read("reading what an inbound file changed") { session in
            let source = SourceReference.inboundFile(id: id, line: nil).file
            var changes: [InboundChange] = []
            for (subject, table, column) in [(InboundChange.Subject.payment, "payment_history", "payment_id"), (.check, "check_history", "check_id"),
                                             (.decision, "decision_history", "decision_id")] {
                for row in try await session.rows("""
                    SELECT \(unescaped: column), version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
                    FROM \(unescaped: table) WHERE source_file = \(source) ORDER BY source_line, id
                    """) {
                    var cells = Cells(row)
                    changes.append(InboundChange(subject: subject, entry: try HistoryEntry(stored: &cells)))
                }
            }
            return changes
        }
    }

    public func discrepancies(since: Date) async throws -> [InboundChange] {
        try await read("reading the discrepancies bank files reported") { session in
            var changes: [InboundChange] = []
            for (subject, table, column) in [(InboundChange.Subject.payment, "payment_history", "payment_id"), (.check, "check_history", "check_id")] {
                for row in try await session.rows("""
                    SELECT \(unescaped: column), version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
                    FROM \(unescaped: table) WHERE reason_code = \(BankEvent.discrepancyCode) AND created_at >= \(Self.milliseconds(since))
                    ORDER BY created_at, id
                    """) {
                    var cells = Cells(row)
                    changes.append(InboundChange(subject: subject, entry: try HistoryEntry(stored: &cells)))
                }
            }
            return changes
        }
    }

    public func recordInbound(_ file: InboundFile) async throws {
        try await transaction("recording an inbound file") { session in try await Self.insert(file, session) }
    }

    public func retryInbound(_ file: InboundFile) async throws {
        try await transaction("retrying an inbound file") { session in
            let moved = try await session.count("""
                UPDATE inbound_files SET status = \(file.status.rawValue), reason = \(file.reason), applied_events = 0, notes = \(file.notesText),
                    kind = \(file.kind.rawValue), archive_path = \(file.archivePath), sealed_archive_path = \(file.opening?.sealedArchivePath),
                    plaintext_sha256 = \(file.opening?.plaintextSHA256), signer = \(file.opening?.signer)
                WHERE id = \(file.id) AND status = 'quarantined'
                """)
            guard moved == 1 else { throw StoreError(.conflict, "inbound file \(file.id) is not quarantined") }
        }
    }

    public func dismissInbound(id: String, _ dismissal: InboundFile.Dismissal) async throws {
        try await transaction("dismissing an inbound file", audit: AuditRecord(actor: Actor(rawValue: dismissal.person), action: .inboundDismissed, subjects: [id], detail: dismissal.reason)) { session in
            let moved = try await session.count("""
                UPDATE inbound_files SET status = \(InboundFile.Status.dismissed.rawValue), dismissed_at = \(Self.milliseconds(dismissal.at)),
                    dismissed_by = \(dismissal.person), dismissal_reason = \(dismissal.reason), superseded_by = \(dismissal.supersededBy)
                WHERE id = \(id) AND status = \(InboundFile.Status.quarantined.rawValue)
                """)
            guard moved == 1 else { throw StoreError(.conflict, "inbound file \(id) is not quarantined") }
        }
    }

    public func applyInbound(_ file: InboundFile, plan: LedgerPlan, checks: CheckPlan, after appliedEvents: Int?) async throws {
        let faults = self.faults
        try await transaction("applying an inbound file", audit: AuditRecord(actor: .bankFile, action: .bankFile, subjects: [file.id],
                                                                             detail: "\(file.kind) \(file.status.rawValue)")) { session in
            if let appliedEvents {
                let moved = try await session.count("""
                    UPDATE inbound_files SET status = \(file.status.rawValue), applied = \(file.applied), applied_events = \(file.appliedEvents),
                        notes = \(file.notesText)
                    WHERE id = \(file.id) AND status = 'applying' AND applied_events = \(appliedEvents)
                    """)
                guard moved == 1 else {
                    throw StoreError(.conflict, "inbound file \(file.id) is no longer applying at event \(appliedEvents)")
                }
            } else {
                // The ledger row first: corrections refer to it, and its unique hash refuses a second
                // application (a second instance with the same bytes waits for this one, then conflicts).
                try await Self.insert(file, session)
            }
            try await PostgresPlanWriter.persist(plan, session, faults: faults)
            try await PostgresCheckPlanWriter.persist(checks, session)
            if !checks.newExceptions.isEmpty { try faults.hit(.afterExceptionsWritten) }
        }
    }

    public func payments(ids: [String]) async throws -> [String: Payment] {
        try await read("reading payments") { session in
            try await Self.payments(session, column: "id", matching: Array(Set(ids)))
        }
    }

    public func payments(traceNumbers: [Int]) async throws -> [Int: Payment] {
        try await read("matching trace numbers") { session in
            let found = try await Self.payments(session, column: "trace_number", matching: Array(Set(traceNumbers.map(Int64.init))))
            return Dictionary(uniqueKeysWithValues: found.values.compactMap { payment in payment.submission.map { ($0.traceNumber, payment) } })
        }
    }

    /// Published payments whose `column` is one of `values`, in one query (one array parameter).
    static func payments(_ session: Session, column: String, matching values: [some PostgresArrayEncodable & PostgresNonThrowingEncodable])
        async throws -> [String: Payment] {
        guard !values.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(values)
        let rows = try await session.rows(PostgresQuery(unsafeSQL: """
            SELECT \(Payment.columnList) FROM payments WHERE \(column) = ANY($1) AND import_id IS NULL
            """, binds: binds))
        var found: [String: Payment] = [:]
        for row in rows {
            let payment = try Payment(row)
            found[payment.id] = payment
        }
        return found
    }

    public func outboundFile(origin: String, destination: String, creationDate: String, creationTime: String,
                             modifier: String) async throws -> OutboundFile? {
        let date = ACHDate(yymmdd: creationDate)?.description ?? creationDate
        let time = creationTime.count == 4 ? "\(creationTime.prefix(2)):\(creationTime.suffix(2))" : creationTime
        return try await read("matching an acknowledgement") { session in
            try await session.rows("""
                \(unescaped: OutboundFile.storedSelect) WHERE n.immediate_origin = \(origin) AND n.immediate_destination = \(destination)
                    AND n.creation_date = \(date) AND n.creation_time = \(time) AND n.file_id_modifier = \(modifier)
                    AND f.status IN ('uploaded', 'uploading')
                """).first.map(OutboundFile.init(_:))
        }
    }

    public func unsettledBatches() async throws -> [UnsettledBatch] {
        try await read("listing unsettled batches") { session in
            try await session.rows("""
                SELECT f.id, f.name, p.batch_number, min(p.direction), min(p.entry_effective_date), SUM(p.amount_cents)::bigint,
                       array_agg(p.id ORDER BY p.id)
                FROM payments p JOIN outbound_files f ON f.id = p.file_id
                LEFT JOIN settled_batches s ON s.file_id = p.file_id AND s.batch_number = p.batch_number
                WHERE f.status = 'uploaded' AND s.file_id IS NULL
                GROUP BY f.id, f.name, p.batch_number
                ORDER BY f.id, p.batch_number
                """).map { row in
                let (fileID, fileName, batch, direction, effectiveDate, total, ids) =
                    try row.decode((String, String, Int, String, String?, Int64, [String]).self)
                return UnsettledBatch(fileID: fileID, fileName: fileName, batchNumber: batch, isCredit: direction == "credit",
                                      total: total, effectiveDate: effectiveDate ?? "", paymentIDs: ids)
            }
        }
    }

    public func fileStateTotals() async throws -> [(file: OutboundFile, states: [PaymentState: (count: Int, amount: Int64)])] {
        try await read("totalling outbound files") { session in
            let files = try await session.rows("\(unescaped: OutboundFile.storedSelect) WHERE f.status <> 'cancelled' ORDER BY f.id")
                .map(OutboundFile.init(_:))
            var totals: [String: [PaymentState: (count: Int, amount: Int64)]] = [:]
            for row in try await session.rows("""
                SELECT file_id, state, COUNT(*), SUM(amount_cents)::bigint FROM payments WHERE file_id IS NOT NULL GROUP BY file_id, state
                """) {
                let (fileID, state, count, amount) = try row.decode((String, String, Int, Int64).self)
                totals[fileID, default: [:]][try StoredColumn.decode(state, as: PaymentState.self, table: "payments", column: "state")] = (count, amount)
            }
            return files.map { file in (file: file, states: totals[file.id] ?? [:]) }
        }
    }

    public func payments(in state: PaymentState, changedBefore before: Date) async throws -> [Payment] {
        try await read("finding stuck payments") { session in
            try await session.rows("""
                SELECT \(unescaped: Payment.columnList) FROM payments
                WHERE state = \(state.rawValue) AND updated_at < \(Self.milliseconds(before)) AND import_id IS NULL ORDER BY updated_at
                """).map(Payment.init(_:))
        }
    }

    static func insert(_ file: InboundFile, _ session: Session) async throws {
        try await session.count("""
            INSERT INTO inbound_files (id, sha256, kind, source, name, size, status, reason, applied, applied_events, archive_path,
                                       received_at, sealed_archive_path, plaintext_sha256, signer, notes)
            VALUES (\(file.id), \(file.sha256), \(file.kind.rawValue), \(file.source), \(file.name), \(file.size),
                    \(file.status.rawValue), \(file.reason), \(file.applied), \(file.appliedEvents), \(file.archivePath),
                    \(milliseconds(file.receivedAt)), \(file.opening?.sealedArchivePath), \(file.opening?.plaintextSHA256),
                    \(file.opening?.signer), \(file.notesText))
            """)
    }

}
