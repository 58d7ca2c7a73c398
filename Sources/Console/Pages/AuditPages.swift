import Foundation
import Payments
import Pipeline

/// The last audit verification run from this server, for the Today page.
actor VerificationRecord {
    struct Outcome: Sendable {
        var holds: Bool
        var summary: String
        var at: Date
        var by: String
    }

    private(set) var latest: Outcome?

    func record(_ outcome: Outcome) { latest = outcome }
}

/// Audit: the log, newest first, filtered by action, actor or subject; a whole verification on demand.
extension ConsolePages {
    struct LogRow { var sequence: Int64; var at: String; var actor: String; var action: String; var subjects: String; var detail: String; var rows: Int; var hash: String }

    struct AuditModel {
        var actions: [Option]
        var actor: String
        var subject: String
        var entries: [LogRow]
        var next: String?
        var head: String
        var canVerify: Bool
    }

    /// Entries read per step of a filtered scan, and the most a page scans for its matches.
    static let auditChunk = 500
    static let auditScanLimit = 20_000

    func audit(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let action = request.filter("action"), actor = request.filter("actor"), subject = request.filter("subject")
        if let action, AuditAction(rawValue: action) == nil { throw ConsoleError.badRequest("\(action) is not an audit action") }
        let head = try await store.auditHead()
        var before = (head?.sequence ?? 0) + 1
        if let text = request.filter("before") {
            guard let sequence = Int64(text), sequence > 0 else { throw ConsoleError.badRequest("\(text) is not an entry number") }
            before = min(before, sequence)
        }
        // Newest first: read backwards in chunks until the page is full, the log's start, or the scan limit.
        var shown: [AuditEntry] = []
        var scanned = 0
        var cursor = before
        while shown.count < configuration.pageSize, cursor > 1, scanned < Self.auditScanLimit {
            let from = max(0, cursor - 1 - Int64(Self.auditChunk))
            let chunk = try await store.auditEntries(after: from, limit: Int(cursor - 1 - from))
            scanned += chunk.count
            for entry in chunk.reversed() where shown.count < configuration.pageSize {
                if let action, entry.action.rawValue != action { continue }
                if let actor, entry.actor != actor { continue }
                if let subject, !entry.subjects.contains(subject) { continue }
                shown.append(entry)
            }
            cursor = from + 1
        }
        let lastShown = shown.count == configuration.pageSize ? shown.last?.sequence : (cursor > 1 ? cursor : nil)
        var next: String?
        if let lastShown {
            var fields = request.query.filter { $0.key != "before" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            fields.append(("before", String(lastShown)))
            next = request.path + "?" + FormBody.encode(fields)
        }
        let model = AuditModel(
            actions: Self.options(AuditAction.allCases.map(\.rawValue), selected: action), actor: actor ?? "", subject: subject ?? "",
            entries: shown.map {
                LogRow(sequence: $0.sequence, at: Format.time($0.at), actor: $0.actor, action: $0.action.rawValue,
                         subjects: $0.subjects.prefix(5).joined(separator: ", ") + ($0.subjects.count > 5 ? " and \($0.subjects.count - 5) more" : ""),
                         detail: $0.detail, rows: $0.rowCount, hash: String($0.hash.prefix(16)) + "…")
            },
            next: next, head: head.map { "entry \($0.sequence), hash \($0.hash)" } ?? "empty",
            canVerify: ConsoleRoute.verifyAudit.allows(request.person?.roles))
        return await render("audit", "Audit log", model, request)
    }

    struct VerifyModel {
        var isVerification = true
        var holds: Bool
        var lines: [String]
    }

    /// Runs the whole verification `metl audit verify` runs; it only reads.
    func verifyAudit(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let person = try request.signedIn
        guard let archive = configuration.archive else { throw ConsoleError.notFound("the archive is not on this host: run metl audit verify there") }
        let report = try await AuditReport.verify(store, archive: archive, key: configuration.auditKey)
        var lines = ["audit log: \(report.chain.entries) entries, \(report.chain.rows) rows recomputed; head \(report.chain.headSequence) \(report.chain.headHash)"]
        if let used = report.checkpoint {
            lines.append("checkpoint: \(used.path) (entry \(used.sequence), signature " + (used.signatureValid ? "valid" : "INVALID")
                         + (used.signedByThisKey.map { $0 ? ", metl's key" : ", ANOTHER key" } ?? "") + ")")
        } else {
            lines.append("checkpoint: none yet")
        }
        lines.append("archive: \(report.filesChecked) files checked")
        lines += report.chain.findings.map { "BROKEN \($0.kind.rawValue)" + ($0.sequence.map { " at entry \($0)" } ?? "") + ": \($0.message)" }
        lines += report.fileFindings.map { "BROKEN \($0)" }
        if report.holds { lines.append("everything holds") }
        await JobAlerts(store: store, routing: configuration.alertRouting, logger: console.logger).auditVerified(report, at: request.now)
        await console.lastVerification.record(.init(holds: report.holds, summary: "\(report.chain.entries) entries, \(report.filesChecked) files",
                                                    at: request.now, by: person.name))
        console.logger.notice("console audit verification", metadata: ["operator": "\(person.name)", "holds": "\(report.holds)"])
        return await render("audit", "Audit verification", VerifyModel(holds: report.holds, lines: lines), request)
    }
}
