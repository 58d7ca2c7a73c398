import Foundation
import Payments
import Pipeline

/// Bank files: everything the bank sent, with its outcome and reason; a file's page lists what it
/// changed, line by line, and the exceptions it opened; dismiss a quarantined one.
extension ConsolePages {
    struct BankFileRow { var id: String; var name: String; var kind: String; var status: String; var reason: String?; var applied: Int; var received: String; var quarantined: Bool }

    struct BankFilesModel {
        var kinds: [Option]
        var statuses: [Option]
        var from: String
        var to: String
        var files: [BankFileRow]
        var next: String?
    }

    func bankFiles(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let kind = request.filter("kind"), status = request.filter("status")
        if let status, InboundFile.Status(rawValue: status) == nil { throw ConsoleError.badRequest("\(status) is not a bank file status") }
        let everything = try await store.inboundFiles()
        let all = everything.filter { (status == nil || $0.status.rawValue == status) && (kind == nil || $0.kind.rawValue == kind) }
        let (shown, next) = try page(all, request, prefix: "inb", id: \.id, createdAt: \.receivedAt)
        let model = BankFilesModel(kinds: Self.options(Set(everything.map(\.kind.rawValue)).sorted(), selected: kind),
                                   statuses: Self.options(InboundFile.Status.allCases.map(\.rawValue), selected: status),
                                   from: request.filter("from") ?? "", to: request.filter("to") ?? "", files: shown.map(Self.row), next: next)
        return await render("bank-files", "Bank files", model, request)
    }

    static func row(_ file: InboundFile) -> BankFileRow {
        BankFileRow(id: file.id, name: file.name, kind: file.kind.rawValue, status: file.status.rawValue,
                    reason: file.reason.flatMap { $0.isEmpty ? nil : $0 },
                    applied: file.applied, received: Format.time(file.receivedAt), quarantined: file.status == .quarantined)
    }

    struct ChangeRow { var line: String; var subject: String; var href: String?; var from: String; var to: String; var reason: String }

    struct BankFileModel {
        var file: BankFileRow
        var fields: [Field]
        var archive: String
        var archiveHolds: Bool
        var notes: [String]
        var changes: [ChangeRow]
        /// How many changes are not listed; nil when all are.
        var changesMore: Int?
        var exceptions: [Field]
        var canDismiss: Bool
        var back: String
    }

    static let changeRows = 500

    func bankFile(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let file = try await store.inboundFile(id: try request.parameter("id"))
        var fields = [Field(name: "id", value: file.id), Field(name: "SHA-256", value: file.sha256), Field(name: "size", value: "\(file.size) bytes"),
                      Field(name: "source", value: file.source), Field(name: "received", value: Format.time(file.receivedAt)),
                      Field(name: "applied", value: "\(file.applied) records, \(file.appliedEvents) events")]
        if let opening = file.opening { fields.append(Field(name: "signed by", value: opening.signer ?? "not signed")) }
        if let dismissal = file.dismissal {
            fields.append(Field(name: "dismissed", value: "by \(dismissal.person) at \(Format.time(dismissal.at)): \(dismissal.reason)"
                                + (dismissal.supersededBy.map { "; superseded by \($0)" } ?? "")))
        }
        var archiveText = "the archive is not on this host", archiveHolds = false
        if let archive = configuration.archive {
            let outcomes = try await OffPool.run { FileVerifier(archive: archive).verifyArchive(file) }
            archiveHolds = !outcomes.contains { $0.isFinding }
            archiveText = "archived bytes: " + outcomes.map { "\($0)" }.joined(separator: "; ")
        }
        let changes = try await store.changes(byInboundFile: file.id)
        let rows = changes.prefix(Self.changeRows).map { change in
            let entry = change.entry
            return ChangeRow(line: entry.source?.line.map(String.init) ?? "", subject: "\(change.subject.rawValue) \(entry.requestID)",
                             href: change.subject == .payment ? "/console/payments/\(entry.requestID)" : nil,
                             from: entry.fromState?.rawValue ?? "", to: entry.toState.rawValue,
                             reason: entry.reasonCode + (entry.reasonText.isEmpty ? "" : ": \(entry.reasonText)"))
        }
        let exceptions = try await store.checkExceptions(merchantID: nil, status: nil)
            .filter { $0.source.file == SourceReference.inboundFile(id: file.id, line: nil).file }
            .map { Field(name: $0.id, value: "serial \($0.serial), \(Format.cents($0.presentedAmount)), \($0.reason.rawValue), \($0.status.rawValue)") }
        let model = BankFileModel(file: Self.row(file), fields: fields, archive: archiveText, archiveHolds: archiveHolds, notes: file.notes,
                                  changes: Array(rows), changesMore: changes.count > Self.changeRows ? changes.count - Self.changeRows : nil, exceptions: exceptions,
                                  canDismiss: file.status == .quarantined && request.may(.operator), back: "/console/bank-files/\(file.id)")
        return await render("bank-file", file.name, model, request)
    }

    func dismissBankFile(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        return try await act(request, back: "/console/bank-files/\(id)") { person in
            let file = try await store.dismissInbound(id: id, reason: try request.requiredField("reason", "why the file is dismissed"),
                                                      supersededBy: request.field("superseded_by"), by: person.name, at: request.now)
            return "dismissed \(file.name)"
        }
    }
}
