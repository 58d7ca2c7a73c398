import ArgumentParser
import BankFiles
import NACHA
import MetlConfiguration
import Foundation
import Payments

/// `metl ingest`: the bank's files applied (the default, `apply`), and the inbound ledger read back:
/// every file received, its outcome and what it changed.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "ingest",
        abstract: "The bank's files: apply them (the default), list them, show one and what it changed.",
        subcommands: [IngestApplyCommand.self, List.self, Show.self, Dismiss.self], defaultSubcommand: IngestApplyCommand.self)

    /// A received bank file as `--json` shows it.
    struct InboundFileDocument: Encodable {
        var id: String, kind: String, name: String, source: String, sha256: String, size: Int64, status: String
        @Nullable var reason: String?
        var applied: Int, archivePath: String, receivedAt: String, notes: [String]
        /// OpenPGP files only: the sealed bytes received (`sha256` and `size` above), the plaintext read.
        var opening: Opening?
        /// Dismissed files only: who closed it, when, why, and the file that replaced it.
        var dismissal: Dismissal?
        /// `show` only: every history row the file wrote.
        var changes: [Change]?
        /// `show` of an exception file only: the exceptions it opened.
        var exceptions: [CheckExceptionDocument]?

        struct Dismissal: Encodable {
            var by: String, at: String, reason: String
            @Nullable var supersededBy: String?
            enum CodingKeys: String, CodingKey { case by, at, reason, supersededBy = "superseded_by" }
        }

        struct Opening: Encodable {
            var sealedArchivePath: String, plaintextSHA256: String
            @Nullable var signer: String?
            enum CodingKeys: String, CodingKey { case sealedArchivePath = "sealed_archive_path", plaintextSHA256 = "plaintext_sha256", signer }
        }

        struct Change: Encodable {
            var subject: InboundChange.Subject, id: String, toState: String, reasonCode: String, reasonText: String
            @Nullable var line: Int?
            @Nullable var fromState: String?
            enum CodingKeys: String, CodingKey {
                case subject, id, line, fromState = "from_state", toState = "to_state", reasonCode = "reason_code", reasonText = "reason_text"
            }

            init(_ change: InboundChange) {
                subject = change.subject
                id = change.entry.requestID
                line = change.entry.source?.line
                fromState = change.entry.fromState?.rawValue
                toState = change.entry.toState.rawValue
                reasonCode = change.entry.reasonCode
                reasonText = change.entry.reasonText
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, name, source, sha256, size, status, reason, applied, archivePath = "archive_path", receivedAt = "received_at",
                 notes, opening, dismissal, changes, exceptions
        }

        init(_ file: InboundFile, changes: [InboundChange]? = nil, exceptions: [CheckException]? = nil) {
            self.exceptions = exceptions?.map(CheckExceptionDocument.init)
            id = file.id
            kind = file.kind.rawValue
            name = file.name
            source = file.source
            sha256 = file.sha256
            size = file.size
            status = file.status.rawValue
            reason = file.reason
            applied = file.applied
            archivePath = file.archivePath
            receivedAt = Timestamp.format(file.receivedAt)
            notes = file.notes
            opening = file.opening.map { Opening(sealedArchivePath: $0.sealedArchivePath, plaintextSHA256: $0.plaintextSHA256, signer: $0.signer) }
            dismissal = file.dismissal.map {
                Dismissal(by: $0.person, at: Timestamp.format($0.at), reason: $0.reason, supersededBy: $0.supersededBy)
            }
            self.changes = changes?.map(Change.init)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "List the bank files received, oldest first, a page at a time.",
            discussion: "--json prints {data, next_cursor}; pass next_cursor to --after for the next page.")
        @Option(help: "Only files with this outcome: processed, applying, duplicate, quarantined or dismissed (default: all).")
        var status: InboundFile.Status?
        @Option(help: "Only files of this kind.")
        var kind: InboundKind?
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: InboundFile.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            // A few files a day: chosen from all of them, as a store would.
            let files = try await store.inboundFiles().filter { (status == nil || $0.status == status) && (kind == nil || $0.kind == kind) }
            let page = try await ListPage.fetch(window, id: \.id) { window in window.select(files, id: \.id, createdAt: \.receivedAt) }
            try ListOptions.print(page, json: output.json, document: { InboundFileDocument($0) },
                                  empty: "no inbound files" + (status.map { " \($0.rawValue)" } ?? ""),
                                  header: ["ID", "RECEIVED", "KIND", "NAME", "STATUS", "APPLIED", "REASON OR NOTES"]) {
                [$0.id, Timestamp.format($0.receivedAt), $0.kind.rawValue, $0.name, $0.status.rawValue, String($0.applied),
                 $0.reason ?? ($0.notes.isEmpty ? "" : Words.count($0.notes.count, "note"))]
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "A bank file received: its kind, source, SHA-256, archive, outcome and notes, and each payment or check it changed.")
        @Argument(help: "Inbound file id (inb_…), as payment histories and metl ingest list show it.") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            if id.hasPrefix(OutboundFile.idPrefix + "_") {
                throw ValidationError("\(id) is a file we sent; metl files show \(id) shows it")
            }
            let (store, _) = try await store.openStore(.reading)
            let file = try await store.inboundFile(id: id)
            let changes = try await store.changes(byInboundFile: file.id)
            // Few a day: those whose source is this file.
            let exceptions = file.kind == .checkExceptions
                ? try await store.checkExceptions(merchantID: nil, status: nil).filter { $0.source.file == SourceReference.inboundFile(id: file.id, line: nil).file }
                : nil
            if output.json { return try Output.json(InboundFileDocument(file, changes: changes, exceptions: exceptions)) }
            Output.line("\(file.name)  \(file.kind.rawValue) \(file.status.rawValue)  (\(file.id))")
            Output.line("  received \(Timestamp.format(file.receivedAt)) from \(file.source)")
            if let opening = file.opening {
                Output.line("  OpenPGP: " + (opening.signer.map { "signed by \($0)" } ?? "not signed"))
                Output.line("  received sha256 \(file.sha256), \(Words.count(file.size, "byte")), archive \(opening.sealedArchivePath)")
                Output.line("  plaintext sha256 \(opening.plaintextSHA256), archive \(file.archivePath)")
            } else {
                Output.line("  sha256 \(file.sha256), \(Words.count(file.size, "byte"))")
                Output.line("  archive \(file.archivePath.isEmpty ? "- (not archived)" : file.archivePath)")
            }
            Output.line("  \(Words.count(file.applied, "change")) applied" + (file.reason.map { "; \($0)" } ?? ""))
            for note in file.notes { Output.line("  note: \(note)") }
            if let dismissal = file.dismissal {
                Output.line("  dismissed by \(dismissal.person) at \(Timestamp.format(dismissal.at)): \(dismissal.reason)"
                            + (dismissal.supersededBy.map { "; superseded by \($0)" } ?? ""))
            }
            Output.line()
            if let exceptions {
                if exceptions.isEmpty { Output.line("no exception opened") } else {
                    Output.table(["LINE", "EXCEPTION", "STATUS", "REASON", "ACCOUNT", "SERIAL", "PRESENTED", "DEADLINE"], exceptions.map {
                        [$0.source.line.map(String.init) ?? "-", $0.id, $0.status.rawValue, $0.reason.rawValue, $0.accountID, $0.serial,
                         Dollars.format($0.presentedAmount), Timestamp.format($0.deadline)]
                    })
                }
                Output.line()
            }
            if changes.isEmpty { return Output.line("no payment or check changed") }
            Output.table(["LINE", "SUBJECT", "ID", "FROM", "TO", "REASON"], changes.map {
                [$0.entry.source?.line.map(String.init) ?? "-", $0.subject.rawValue, $0.entry.requestID, $0.entry.fromState?.rawValue ?? "-",
                 $0.entry.toState.rawValue, "\($0.entry.reasonCode): \($0.entry.reasonText)"]
            })
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Close a quarantined bank file without applying it, saying why (and which corrected file replaced it).",
            discussion: """
                The file becomes dismissed, with who, when and why; reconcile no longer reports it. Nothing it \
                contains is applied. A file that is not quarantined is refused (exit 5), as is a replacement \
                that was not processed.
                """)
        @Argument(help: "The quarantined file (inb_…).") var id: String
        @Option(help: "Why it is closed (required).") var reason: String
        @Option(help: "The processed file (inb_…) that replaced it, when the bank sent a corrected one.") var supersededBy: String?
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, settings) = try await store.openStore()
            _ = try await acting.actor(store, .operator, to: "dismiss a bank file")
            let file = try await store.dismissInbound(id: id, reason: reason, supersededBy: supersededBy, by: acting.actingName,
                                                      at: settings.clock())
            if output.json { return try Output.json(InboundFileDocument(file)) }
            Output.line("\(file.id) (\(file.name)) dismissed: \(file.dismissal?.reason ?? reason)"
                        + (file.dismissal?.supersededBy.map { "; superseded by \($0)" } ?? ""))
        }
    }
}
