import BankFiles

extension InboundFile: StoredModel {
    public static let storedColumns = [
        "id", "sha256", "kind", "source", "name", "size", "status", "reason", "applied", "applied_events", "archive_path", "received_at",
        "sealed_archive_path", "plaintext_sha256", "signer", "notes",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let id = try row.string(), sha256 = try row.string(), kind = InboundKind(rawValue: try row.string())
        let source = try row.string(), name = try row.string(), size = try row.int64()
        let status: Status = try row.decode("inbound_files", "status")
        let reason = try row.optionalString(), applied = try row.int(), appliedEvents = try row.int(), archivePath = try row.string()
        let receivedAt = try row.date()
        let sealed = try row.optionalString(), plaintextSHA256 = try row.optionalString(), signer = try row.optionalString()
        self.init(id: id, sha256: sha256, kind: kind, source: source, name: name, size: size, status: status, reason: reason, applied: applied,
                  appliedEvents: appliedEvents, archivePath: archivePath,
                  opening: sealed.map { Opening(sealedArchivePath: $0, plaintextSHA256: plaintextSHA256 ?? "", signer: signer) },
                  receivedAt: receivedAt, notes: Self.notes(from: try row.optionalString()))
    }
}
