import Foundation
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// Writes what the ledger holds for a span of time into a directory an auditor's tools read: the
/// outbound files created in it and every entry they carry, the payments and checks created in it
/// with their full history, the bank files received in it with every change each made, as CSV and
/// JSON Lines, and `manifest.json` naming each file's rows and SHA-256. Account numbers are masked
/// as everywhere metl shows them. Payments and checks are read a page at a time, so the export
/// of a large ledger holds one page in memory. It only reads the ledger.
public struct LedgerExport: Sendable {
    public struct Table: Sendable, Hashable, Encodable {
        public var name: String
        public var rows: Int
        public var csvSHA256: String
        public var jsonlSHA256: String
        enum CodingKeys: String, CodingKey { case name, rows, csvSHA256 = "csv_sha256", jsonlSHA256 = "jsonl_sha256" }
    }

    public struct Manifest: Sendable, Encodable {
        public var since: String?
        public var until: String?
        public var generatedAt: String
        public var tables: [Table]
        enum CodingKeys: String, CodingKey { case since, until, generatedAt = "generated_at", tables }
    }

    let store: any LedgerStore
    let since: Date?
    let until: Date?
    let pageSize: Int

    public init(store: any LedgerStore, since: Date?, until: Date?, pageSize: Int = 1_000) {
        self.store = store
        self.since = since
        self.until = until
        self.pageSize = pageSize
    }

    static let historyColumns = ["version", "from_state", "to_state", "actor", "reason_code", "reason_text", "source_file", "source_line", "created_at"]

    /// Writes the export into `directory`, which must be new or empty; returns the manifest it wrote.
    public func write(into directory: String, at now: Date) async throws -> Manifest {
        try Self.prepare(directory)
        var tables: [Table] = []
        tables += try await exportOutbound(into: directory)
        tables += try await exportPayments(into: directory)
        tables += try await exportChecks(into: directory)
        tables += try await exportInbound(into: directory)
        let manifest = Manifest(since: since.map(Timestamp.format), until: until.map(Timestamp.format), generatedAt: Timestamp.format(now),
                                tables: tables)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = directory + "/manifest.json"
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(manifest) + Data("\n".utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw PipelineError(.configuration, "cannot write \(path)")
        }
        return manifest
    }

    /// An owner-only directory with nothing in it: an export never mixes with another.
    private static func prepare(_ directory: String) throws(PipelineError) {
        if FileManager.default.fileExists(atPath: directory) {
            guard ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["?"]).isEmpty else {
                throw PipelineError(.configuration, "\(directory) is not an empty directory; an export goes into a new one")
            }
        } else {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            catch { throw PipelineError(.configuration, "cannot create \(directory)") }
        }
        chmod(directory, 0o700)
    }

    private func inWindow(_ date: Date) -> Bool { (since.map { date >= $0 } ?? true) && (until.map { date < $0 } ?? true) }

    private func exportOutbound(into directory: String) async throws -> [Table] {
        let files = try ExportTable("outbound_files", columns: ["id", "kind", "name", "status", "sha256", "size", "entry_count", "total_debit",
                                                            "total_credit", "archive_path", "remote_path", "attempts", "failure_reason",
                                                            "created_at", "uploaded_at"], in: directory)
        let entries = try ExportTable("file_entries", columns: ["file_id", "line", "subject", "id", "record", "batch_number", "trace_number",
                                                                "amount", "direction"], in: directory)
        for file in try await store.outboundFiles(statuses: nil) where inWindow(file.createdAt) {
            try files.append([.text(file.id), .text(file.kind.rawValue), .text(file.name), .text(file.status.rawValue), .text(file.sha256),
                              .integer(file.size), .integer(Int64(file.entryCount)), .integer(file.totalDebit), .integer(file.totalCredit),
                              .text(file.archivePath), Self.text(file.remotePath), .integer(Int64(file.attempts)), Self.text(file.failureReason),
                              .text(Timestamp.format(file.createdAt)), Self.text(file.uploadedAt.map(Timestamp.format))])
            for (payment, binding) in try await store.filePayments(fileID: file.id) {
                try entries.append([.text(file.id), .integer(Int64(binding.line)), .text("payment"), .text(payment.id), .text("entry"),
                                    .integer(Int64(binding.batchNumber)), .text(TraceNumber.text(binding.traceNumber)), .integer(payment.amount),
                                    .text(payment.direction.rawValue)])
            }
            for check in try await store.fileChecks(fileID: file.id) {
                let issued = check.issueRecord?.fileID == file.id
                let line = (issued ? check.issueRecord?.line : check.voidRecord?.line) ?? 0
                try entries.append([.text(file.id), .integer(Int64(line)), .text("check"), .text(check.id), .text(issued ? "issue" : "void"),
                                    .null, .null, .integer(check.amount), .null])
            }
            for decision in try await store.fileDecisions(fileID: file.id) {
                try entries.append([.text(file.id), .integer(Int64(decision.record?.line ?? 0)), .text("decision"), .text(decision.id),
                                    .text(decision.decision.rawValue), .null, .null, .null, .null])
            }
        }
        return [try Self.finish(files), try Self.finish(entries)]
    }

    private func exportPayments(into directory: String) async throws -> [Table] {
        let payments = try ExportTable("payments", columns: [
            "id", "merchant_id", "state", "version", "amount", "currency", "direction", "sec_code", "description", "effective_date", "settlement",
            "profile", "counterparty_name", "routing_number", "account_number", "account_type", "failure_code", "failure_message", "file_id",
            "batch_number", "trace_number", "file_line", "created_at", "updated_at",
        ], in: directory)
        let history = try ExportTable("payment_history", columns: ["payment_id"] + Self.historyColumns, in: directory)
        try await eachPage({ try await store.payments(PaymentQuery(window: $0)) }, id: \.id,
                           history: { try await store.history(paymentIDs: $0) }) { payment, entries in
            let submission = payment.submission
            try payments.append([
                .text(payment.id), .text(payment.merchantID), .text(payment.state.rawValue), .integer(Int64(payment.version)),
                .integer(payment.amount), .text(payment.currency), .text(payment.direction.rawValue), .text(payment.secCode.rawValue),
                .text(payment.description), .text(payment.effectiveDate.description), .text(payment.settlement.rawValue), Self.text(payment.profile),
                .text(payment.counterparty.name), .text(payment.counterparty.routingNumber), .text(payment.counterparty.maskedAccountNumber),
                .text(payment.counterparty.accountType.rawValue), Self.text(payment.failure?.code), Self.text(payment.failure?.message),
                Self.text(submission?.fileID), submission.map { .integer(Int64($0.batchNumber)) } ?? .null,
                Self.text(submission.map { TraceNumber.text($0.traceNumber) }), submission.map { .integer(Int64($0.line)) } ?? .null,
                .text(Timestamp.format(payment.createdAt)), .text(Timestamp.format(payment.updatedAt)),
            ])
            for entry in entries { try history.append([.text(payment.id)] + Self.values(entry)) }
        }
        return [try Self.finish(payments), try Self.finish(history)]
    }

    private func exportChecks(into directory: String) async throws -> [Table] {
        let checks = try ExportTable("checks", columns: [
            "id", "merchant_id", "account_id", "state", "version", "serial", "amount", "issue_date", "payee", "failure_code", "failure_message",
            "issue_file_id", "void_file_id", "void_requested_at", "paid_on", "created_at", "updated_at",
        ], in: directory)
        let history = try ExportTable("check_history", columns: ["check_id"] + Self.historyColumns, in: directory)
        try await eachPage({ try await store.checks(CheckQuery(window: $0)) }, id: \.id,
                           history: { try await store.checkHistory(checkIDs: $0) }) { check, entries in
            try checks.append([
                .text(check.id), .text(check.merchantID), .text(check.accountID), .text(check.state.rawValue), .integer(Int64(check.version)),
                .text(check.serial), .integer(check.amount), .text(check.issueDate.description), .text(check.payee),
                Self.text(check.failure?.code), Self.text(check.failure?.message), Self.text(check.issueRecord?.fileID),
                Self.text(check.voidRecord?.fileID), Self.text(check.voidRequestedAt.map(Timestamp.format)), Self.text(check.paidOn?.description),
                .text(Timestamp.format(check.createdAt)), .text(Timestamp.format(check.updatedAt)),
            ])
            for entry in entries { try history.append([.text(check.id)] + Self.values(entry)) }
        }
        return [try Self.finish(checks), try Self.finish(history)]
    }

    /// Each item created in the span with its history, read a page (and the page's histories) at a
    /// time in creation order.
    private func eachPage<Item>(_ read: (ListWindow) async throws -> [Item], id: (Item) -> String,
                                history: ([String]) async throws -> [HistoryEntry],
                                _ body: (Item, [HistoryEntry]) async throws -> Void) async throws {
        var window = ListWindow(since: since, until: until, limit: pageSize)
        while true {
            let page = try await read(window)
            let histories = Dictionary(grouping: try await history(page.map(id)), by: \.requestID)
            for item in page { try await body(item, histories[id(item)] ?? []) }
            guard page.count == pageSize, let last = page.last else { return }
            window.afterID = id(last)
        }
    }

    private func exportInbound(into directory: String) async throws -> [Table] {
        let files = try ExportTable("inbound_files", columns: [
            "id", "kind", "name", "source", "sha256", "size", "status", "reason", "applied", "archive_path", "received_at", "dismissed_by",
            "dismissed_at", "dismissal_reason", "superseded_by",
        ], in: directory)
        let changes = try ExportTable("inbound_changes", columns: ["inbound_file_id", "subject", "id"] + Self.historyColumns, in: directory)
        for file in try await store.inboundFiles() where inWindow(file.receivedAt) {
            try files.append([
                .text(file.id), .text(file.kind.rawValue), .text(file.name), .text(file.source), .text(file.sha256), .integer(file.size),
                .text(file.status.rawValue), Self.text(file.reason), .integer(Int64(file.applied)), .text(file.archivePath),
                .text(Timestamp.format(file.receivedAt)), Self.text(file.dismissal?.person), Self.text(file.dismissal.map { Timestamp.format($0.at) }),
                Self.text(file.dismissal?.reason), Self.text(file.dismissal?.supersededBy),
            ])
            for change in try await store.changes(byInboundFile: file.id) {
                try changes.append([.text(file.id), .text(change.subject.rawValue), .text(change.entry.requestID)] + Self.values(change.entry))
            }
        }
        return [try Self.finish(files), try Self.finish(changes)]
    }

    private static func values(_ entry: HistoryEntry) -> [ExportTable.Value] {
        [.integer(Int64(entry.version)), text(entry.fromState?.rawValue), .text(entry.toState.rawValue), .text(entry.actor.rawValue),
         .text(entry.reasonCode), .text(entry.reasonText), text(entry.source?.file), entry.source?.line.map { .integer(Int64($0)) } ?? .null,
         .text(Timestamp.format(entry.createdAt))]
    }

    private static func text(_ value: String?) -> ExportTable.Value { value.map(ExportTable.Value.text) ?? .null }

    private static func finish(_ table: ExportTable) throws -> Table {
        let digests = try table.finish()
        return Table(name: table.name, rows: table.rows, csvSHA256: digests.csv, jsonlSHA256: digests.jsonl)
    }
}
