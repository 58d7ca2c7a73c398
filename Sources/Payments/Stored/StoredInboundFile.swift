import BankFiles
import Foundation

extension InboundFile: StoredModel {
    public static let storedColumns = [
        "id", "sha256", "kind", "source", "name", "size", "status", "reason", "applied", "applied_events", "archive_path", "received_at",
        "sealed_archive_path", "plaintext_sha256", "signer", "notes", "dismissed_at", "dismissed_by", "dismissal_reason", "superseded_by",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let id = try row.string(), sha256 = try row.string(), kind = InboundKind(rawValue: try row.string())
        let source = try row.string(), name = try row.string(), size = try row.int64()
        let status: Status = try row.decode("inbound_files", "status")
        let reason = try row.optionalString(), applied = try row.int(), appliedEvents = try row.int(), archivePath = try row.string()
        let receivedAt = try row.date()
        let sealed = try row.optionalString(), plaintextSHA256 = try row.optionalString(), signer = try row.optionalString()
        let notes = Self.notes(from: try row.optionalString())
        let dismissedAt = try row.optionalDate()
        let dismissedBy = try row.optionalString()
        let dismissalReason = try row.optionalString(), supersededBy = try row.optionalString()
        var dismissal: Dismissal?
        if let dismissedAt {
            guard let dismissedBy, let dismissalReason else {
                throw StoreError(.undecodable, "inbound_files.dismissed_by and dismissal_reason are missing beside dismissed_at")
            }
            dismissal = Dismissal(person: dismissedBy, reason: dismissalReason, supersededBy: supersededBy, at: dismissedAt)
        }
        self.init(id: id, sha256: sha256, kind: kind, source: source, name: name, size: size, status: status, reason: reason, applied: applied,
                  appliedEvents: appliedEvents, archivePath: archivePath,
                  opening: sealed.map { Opening(sealedArchivePath: $0, plaintextSHA256: plaintextSHA256 ?? "", signer: signer) },
                  receivedAt: receivedAt, notes: notes, dismissal: dismissal)
    }
}
