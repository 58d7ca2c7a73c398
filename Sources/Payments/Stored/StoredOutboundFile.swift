import NACHA

extension OutboundFile: StoredModel {
    /// An outbound file (`f`) with the NACHA identity of one that has it (`n`) and the sealing of one
    /// sealed (`s`), as `storedSelect` joins them.
    public static let storedColumns = [
        "f.id", "f.kind", "f.name", "f.sha256", "f.size", "f.status", "f.entry_count", "f.total_debit_cents", "f.total_credit_cents",
        "f.archive_path", "f.remote_path", "f.attempts", "f.failure_reason", "f.created_at", "f.updated_at", "f.uploaded_at",
        "f.approvals_required", "f.approvals_given", "f.approval_deadline", "f.profile",
        "n.immediate_origin", "n.immediate_destination", "n.creation_date", "n.creation_time", "n.file_id_modifier",
        "n.batch_count", "n.entry_addenda_count", "n.entry_hash",
        "s.plaintext_sha256", "s.plaintext_size", "s.plaintext_archive_path", "s.recipient", "s.signer",
    ]

    /// The SELECT `init(stored:)` reads, to be followed by a WHERE on `f`.
    public static let storedSelect = """
        SELECT \(columnList)
        FROM outbound_files AS f LEFT JOIN nacha_files AS n ON n.file_id = f.id LEFT JOIN sealed_files AS s ON s.file_id = f.id
        """

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "outbound_files"
        let id = try row.string(), kind = OutboundFileKind(rawValue: try row.string()), name = try row.string()
        let sha256 = try row.string(), size = try row.int64()
        let status: OutboundFileStatus = try row.decode(table, "status")
        let entryCount = try row.int(), debit = try row.int64(), credit = try row.int64()
        let archivePath = try row.string(), remotePath = try row.optionalString(), attempts = try row.int()
        let failureReason = try row.optionalString(), createdAt = try row.date(), updatedAt = try row.date(), uploadedAt = try row.optionalDate()
        let approvalsRequired = try row.int(), approvalsGiven = try row.int(), approvalDeadline = try row.optionalDate()
        let profile = try row.optionalString()
        let origin = try row.optionalString(), destination = try row.optionalString(), creationDate = try row.optionalString()
        let creationTime = try row.optionalString(), modifier = try row.optionalString(), batchCount = try row.optionalInt()
        let entryAddendaCount = try row.optionalInt(), entryHash = try row.optionalInt()
        let plaintextSHA256 = try row.optionalString(), plaintextSize = try row.optionalInt64()
        let plaintextPath = try row.optionalString(), recipient = try row.optionalString(), signer = try row.optionalString()
        var nacha: NACHAFileIdentity?
        if let origin {
            let parts = (creationTime ?? "").split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, let creationDate else { throw StoredColumn.undecodable(table, "creation_time", creationTime ?? "") }
            nacha = NACHAFileIdentity(
                immediateOrigin: origin, immediateDestination: destination ?? "",
                creationDate: try StoredColumn.day(creationDate, table: table, column: "creation_date"),
                creationTime: ACHTime(hour: parts[0], minute: parts[1]), fileIDModifier: modifier ?? "",
                batchCount: batchCount ?? 0, entryAddendaCount: entryAddendaCount ?? 0, entryHash: entryHash ?? 0)
        }
        self.init(
            id: id, kind: kind, name: name, sha256: sha256, size: size, status: status, entryCount: entryCount, totalDebit: debit,
            totalCredit: credit, nacha: nacha,
            sealing: plaintextSHA256.map { sha in
                Sealing(plaintextSHA256: sha, plaintextSize: plaintextSize ?? 0, plaintextArchivePath: plaintextPath ?? "",
                        recipient: recipient ?? "", signer: signer)
            },
            archivePath: archivePath, remotePath: remotePath, attempts: attempts, failureReason: failureReason,
            createdAt: createdAt, updatedAt: updatedAt, uploadedAt: uploadedAt,
            approval: approvalsRequired > 0 ? ApprovalCount(required: approvalsRequired, given: approvalsGiven) : nil,
            approvalDeadline: approvalDeadline, profile: profile)
    }
}
