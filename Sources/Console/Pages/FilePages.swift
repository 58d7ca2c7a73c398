import Foundation
import NACHA
import Payments
import Pipeline

/// Outbound files: the list by kind, bank profile, status and date; a file's page as `metl inspect` shows it,
/// its archived bytes checked on the spot, its attempts, acknowledgement, items and approvals; the
/// download (roles allowing); approve and reject (through Approvals), retry and cancel.
extension ConsolePages {
    struct FileRow { var id: String; var name: String; var kind: String; var profile: String; var status: String; var entries: Int; var debit: String; var credit: String; var created: String; var stopped: Bool }

    struct FilesModel {
        var kinds: [Option]
        var profiles: [Option]
        /// More than one bank profile is configured: the list offers to filter on them.
        var hasProfiles: Bool
        var statuses: [Option]
        var from: String
        var to: String
        var files: [FileRow]
        var next: String?
    }

    func files(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let kind = request.filter("kind"), status = request.filter("status"), profile = request.filter("profile")
        if let status, OutboundFileStatus(rawValue: status) == nil { throw ConsoleError.badRequest("\(status) is not a file status") }
        let all = try await store.outboundFiles(statuses: status.flatMap(OutboundFileStatus.init(rawValue:)).map { [$0] })
            .filter { (kind == nil || $0.kind.rawValue == kind) && (profile == nil || $0.profile == profile) }
        let (shown, next) = try page(all, request, prefix: "fil", id: \.id, createdAt: \.createdAt)
        let model = FilesModel(kinds: Self.options(OutboundFileKind.rendered.map(\.rawValue), selected: kind),
                               profiles: Self.options(configuration.schedules.map(\.profile), selected: profile),
                               hasProfiles: configuration.schedules.count > 1,
                               statuses: Self.options(OutboundFileStatus.allCases.map(\.rawValue), selected: status),
                               from: request.filter("from") ?? "", to: request.filter("to") ?? "", files: shown.map(Self.row), next: next)
        return await render("files", "Files", model, request)
    }

    static func row(_ file: OutboundFile) -> FileRow {
        FileRow(id: file.id, name: file.name, kind: file.kind.rawValue, profile: file.profile ?? "—", status: file.status.rawValue, entries: file.entryCount,
                debit: Format.cents(file.totalDebit), credit: Format.cents(file.totalCredit), created: Format.time(file.createdAt),
                stopped: file.status.isStopped || file.status == .failed)
    }

    struct Field { var name: String; var value: String }
    struct BatchRow { var number: Int; var company: String; var secCode: String; var description: String; var effective: String; var entries: Int; var debit: String; var credit: String }
    struct EntryRow { var line: String; var trace: String; var name: String; var account: String; var routing: String; var code: String; var amount: String }
    struct ControlRow { var name: String; var declared: String; var computed: String; var matches: Bool }
    struct ItemRow { var id: String; var href: String; var label: String; var state: String; var amount: String; var line: String }
    struct DecisionRow { var who: String; var decision: String; var at: String; var reason: String }
    struct ShareRow { var name: String; var items: Int; var debit: String; var credit: String }

    struct FileModel {
        var file: FileRow
        var fields: [Field]
        var archive: String
        var archiveHolds: Bool
        var header: [Field]
        var batches: [BatchRow]
        var entries: [EntryRow]
        var entriesMore: String?
        var controls: [ControlRow]
        var diagnostics: [String]
        var failures: [Field]
        var acknowledgement: [Field]
        var items: [ItemRow]
        var itemsMore: String?
        var decisions: [DecisionRow]
        var byMerchant: [ShareRow]
        var largest: [ItemRow]
        var sincePrevious: String?
        var held: Bool
        var canApprove: Bool
        /// The approver is enrolled in TOTP: a decision asks for a code too, as the CLI does.
        var asksCode: Bool
        var canAct: Bool
        var canRetry: Bool
        var canCancel: Bool
        var canDownload: Bool
        var sha256: String
        var back: String
    }

    /// Entries and items listed on a file's page; the rest are a link to the payments list.
    static let fileRows = 100

    func file(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let file = try await store.outboundFile(id: try request.parameter("id"))
        var fields = [Field(name: "id", value: file.id), Field(name: "SHA-256 (ledger)", value: file.sha256),
                      Field(name: "size", value: "\(file.size) bytes"), Field(name: "created", value: Format.time(file.createdAt)),
                      Field(name: "uploaded", value: file.uploadedAt.map(Format.time) ?? "not uploaded"),
                      Field(name: "remote path", value: file.remotePath ?? ""), Field(name: "upload attempts", value: "\(file.attempts)")]
        if let profile = file.profile { fields.insert(Field(name: "bank profile", value: profile), at: 1) }
        if let reason = file.failureReason { fields.append(Field(name: "reason", value: reason)) }
        if let approval = file.approval {
            fields.append(Field(name: "approvals", value: "\(approval.given) of \(approval.required)"
                                + (file.approvalDeadline.map { ", window closes \(Format.time($0)) (\(Format.countdown(to: $0, from: request.now)))" } ?? "")))
        }
        if let sealing = file.sealing { fields.append(Field(name: "sealed for", value: sealing.recipient)) }

        // The archived bytes, checked now against the ledger's SHA-256; a NACHA file read as `metl inspect` reads it.
        // Reading, hashing and parsing a file of 100,000 entries is blocking work: off the cooperative pool.
        let archive = configuration.archive
        let (archiveText, archiveHolds, read) = try await OffPool.run { () -> (String, Bool, ReadResult?) in
            guard let archive else { return ("the archive is not on this host", false, nil) }
            let verification = FileVerifier(archive: archive).verifyArchive(file, remote: "not read back by the console")
            let text = "archived bytes: \(verification.archive)" + (verification.plaintext.map { "; plaintext: \($0)" } ?? "")
            let plaintext = file.kind == .nacha ? try? archive.read(file.sealing?.plaintextArchivePath ?? file.archivePath) : nil
            return (text, !verification.archive.isFinding && !(verification.plaintext?.isFinding ?? false), plaintext.map { Reader.read($0) })
        }
        var header: [Field] = [], batches: [BatchRow] = [], entries: [EntryRow] = [], controls: [ControlRow] = [], diagnostics: [String] = []
        var entryCount = 0
        if let result = read {
            if let ach = result.file {
                let h = ach.header
                header = [Field(name: "immediate destination", value: "\(h.immediateDestination) \(h.immediateDestinationName)"),
                          Field(name: "immediate origin", value: "\(h.immediateOrigin) \(h.immediateOriginName)"),
                          Field(name: "created", value: "\(h.creationDate) \(h.creationTime.map { CutoffWindow.text($0) } ?? "")"),
                          Field(name: "file id modifier", value: h.fileIDModifier)]
                for batch in ach.batches {
                    let totals = batch.totals
                    batches.append(BatchRow(number: batch.header.batchNumber, company: "\(batch.header.companyName) (\(batch.header.companyIdentification))",
                                            secCode: batch.header.standardEntryClass.rawValue, description: batch.header.companyEntryDescription,
                                            effective: "\(batch.header.effectiveEntryDate)", entries: batch.entries.count,
                                            debit: Format.cents(totals.totalDebit), credit: Format.cents(totals.totalCredit)))
                    for entry in batch.entries {
                        entryCount += 1
                        guard entries.count < Self.fileRows else { continue }
                        let detail = entry.detail
                        entries.append(EntryRow(line: entry.line.map(String.init) ?? "", trace: String(detail.traceNumber), name: detail.individualName,
                                                account: Counterparty.mask(detail.accountNumber.trimmingCharacters(in: .whitespaces)),
                                                routing: String(format: "%08d%d", detail.receivingDFI, detail.checkDigit),
                                                code: String(detail.transactionCode.rawValue), amount: Format.cents(detail.amount)))
                    }
                }
            }
            controls = result.controlComparisons.map { row in
                func text(_ value: Int64) -> String { row.isAmount ? Format.cents(value) : String(value) }
                return ControlRow(name: row.name, declared: row.declared.map(text) ?? "missing", computed: text(row.computed), matches: row.matches)
            }
            diagnostics = result.diagnostics.prefix(50).map { "\($0)" }
        }
        let failures = try await store.deliveryFailures(fileIDs: [file.id]).map {
            Field(name: Format.time($0.at), value: $0.error)
        }

        // The items: payments with their line, or checks, or decisions; the bank's acknowledgement from the first payment's history.
        var items: [ItemRow] = []
        var acknowledgement: [Field] = []
        var itemsMore: String?
        if file.kind == .nacha {
            let bound = try await store.filePayments(fileID: file.id, afterLine: 0, limit: Self.fileRows + 1)
            items = bound.prefix(Self.fileRows).map { payment, binding in
                ItemRow(id: payment.id, href: "/console/payments/\(payment.id)", label: payment.counterparty.name, state: payment.state.rawValue,
                        amount: Format.cents(payment.amount), line: "line \(binding.line)")
            }
            if bound.count > Self.fileRows { itemsMore = "/console/payments?" + FormBody.encode([("file", file.id)]) }
            if let first = bound.first {
                acknowledgement = try await store.history(paymentID: first.payment.id)
                    .filter { if case .inboundFile = $0.source { true } else { false } }
                    .map { Field(name: Format.time($0.createdAt), value: "\($0.toState.rawValue) \($0.reasonCode): \($0.reasonText) (\(Format.source($0.source).text))") }
            }
        } else if file.kind == .positivePay {
            items = try await store.fileChecks(fileID: file.id).prefix(Self.fileRows).map { check in
                ItemRow(id: check.id, href: "", label: "serial \(check.serial) \(check.payee)", state: check.state.rawValue,
                        amount: Format.cents(check.amount), line: "")
            }
        } else if file.kind == .decisions {
            items = try await store.fileDecisions(fileID: file.id).prefix(Self.fileRows).map { decision in
                ItemRow(id: decision.id, href: "", label: "exception \(decision.exceptionID)", state: decision.decision.rawValue, amount: "", line: "")
            }
        }
        let decisions = try await store.approvals(subjectIDs: [file.id]).map {
            DecisionRow(who: $0.operatorName, decision: $0.decision.rawValue, at: Format.time($0.at), reason: $0.reason ?? "")
        }
        var byMerchant: [ShareRow] = [], largest: [ItemRow] = []
        var sincePrevious: String?
        if file.status == .awaitingApproval {
            let review = try await store.review(fileID: file.id)
            byMerchant = review.byMerchant.map { ShareRow(name: $0.name, items: $0.items, debit: Format.cents($0.debit), credit: Format.cents($0.credit)) }
            largest = review.largest.map { ItemRow(id: $0.id, href: $0.id.hasPrefix("pay_") ? "/console/payments/\($0.id)" : "", label: "\($0.counterparty) \($0.maskedAccount)",
                                                   state: $0.direction.rawValue, amount: Format.cents($0.amount), line: "") }
            sincePrevious = review.sincePrevious.map { change in
                "since \(change.previousName): \(change.items) items, debits \(Format.cents(change.debit)), credits \(Format.cents(change.credit))"
                    + (change.newMerchants.isEmpty ? "" : "; new merchants: \(change.newMerchants.joined(separator: ", "))")
                    + (change.goneMerchants.isEmpty ? "" : "; merchants gone: \(change.goneMerchants.joined(separator: ", "))")
            }
        }
        let model = FileModel(
            file: Self.row(file), fields: fields, archive: archiveText, archiveHolds: archiveHolds, header: header, batches: batches,
            entries: entries, entriesMore: entryCount > entries.count ? "\(entryCount - entries.count) more entries: download the file or list its payments" : nil,
            controls: controls, diagnostics: diagnostics, failures: failures, acknowledgement: acknowledgement, items: items, itemsMore: itemsMore,
            decisions: decisions, byMerchant: byMerchant, largest: largest, sincePrevious: sincePrevious,
            held: file.status == .awaitingApproval, canApprove: file.status == .awaitingApproval && request.may(.approver),
            asksCode: request.person?.sealedTOTPSecret != nil,
            canAct: request.may(.operator), canRetry: file.status == .failed && request.may(.operator),
            canCancel: [.rendered, .failed, .awaitingApproval].contains(file.status) && request.may(.operator),
            canDownload: ConsoleRoute.downloadFile.allows(request.person?.roles) && configuration.archive != nil,
            sha256: file.sha256, back: "/console/files/\(file.id)")
        return await render("file", file.name, model, request)
    }

    func downloadFile(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let file = try await store.outboundFile(id: try request.parameter("id"))
        guard let archive = configuration.archive else { throw ConsoleError.notFound("the archive is not on this host") }
        let bytes = try await OffPool.run { try archive.read(file.archivePath) }
        guard Archive.sha256(bytes) == file.sha256 else {
            throw ConsoleError(status: .conflict, message: "the archived bytes of \(file.name) no longer match the ledger's SHA-256: not served")
        }
        console.logger.notice("console download", metadata: ["operator": "\(request.person?.name ?? "")", "file": "\(file.id)"])
        return .download(bytes, name: file.name)
    }

    func retryFile(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        return try await act(request, back: "/console/files/\(id)") { _ in
            let file = try await store.outboundFile(id: id)
            guard let job = configuration.cutoffs.first(where: { $0.sends(file) }) ?? configuration.cutoffs.first else {
                throw ConsoleError.badRequest("cannot retry here: \(configuration.cutoffsUnavailable)")
            }
            let summary = try await job.retry(fileID: file.id)
            return summary.files.map { "\($0.name): \($0.status)" }.joined(separator: "; ")
                + (summary.alerts.isEmpty ? "" : " — " + summary.alerts.joined(separator: "; "))
        }
    }

    func cancelFile(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        return try await act(request, back: "/console/files/\(id)") { person in
            let reason = try request.requiredField("reason", "why the file is cancelled")
            let file = try await store.cancelFile(fileID: id, actor: person.actor, reason: reason)
            return "cancelled \(file.name); its payments are P_VALIDATED and unbound again"
        }
    }
}
