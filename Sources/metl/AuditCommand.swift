import ArgumentParser
import Foundation
import MetlConfiguration
import Payments
import Pipeline
import Webhooks

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "audit", abstract: "The audit log: a hash-chained entry for every change set, signed checkpoints, and their verification.",
        discussion: """
            Every write that changes the ledger appends an entry, in the same transaction, naming who, what, which items, and \
            the SHA-256 of the rows it wrote; each entry's hash covers the one before it. Checkpoints sign the head with \
            metl's Ed25519 key ($METL_AUDIT_KEY_FILE or audit.signing_key_file) into the archive's audit/ directory.
            """,
        subcommands: [Verify.self, Checkpoint.self, Log.self, Export.self, VerifyExport.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Recompute the chain and every entry's rows, check every archived file, and the head against the latest checkpoint; exit 1 naming the first thing that does not hold.")
        @Option(help: "Check against this checkpoint file (default: the latest in the archive's audit/).") var sinceCheckpoint: String?
        @Option(help: "The archive directory (default: $METL_ARCHIVE_DIR, else archive/ beside a SQLite database).") var archiveDir: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (database, settings) = try await store.openStore(.reading)
            let archive = Archive(root: try settings.archiveDirectory(archiveDir, layers: .process))
            let terminal = Output.isTerminal && !output.json
            let report = try await AuditReport.verify(database, archive: archive, key: try settings.auditSigningKey(nil, layers: .process),
                                                      checkpointPath: sinceCheckpoint) { entries in
                if terminal { Output.progress("verified \(entries) entries") }
            }
            if terminal { Output.progress(nil) }
            await JobAlerts(store: database, routing: settings.alerts.routing, logger: metl.Log.make("metl.audit", json: output.json))
                .auditVerified(report, at: settings.clock())
            let (chain, used, checked, fileFindings) = (report.chain, report.checkpoint, report.filesChecked, report.fileFindings)
            if output.json {
                try Output.json(report)
            } else {
                Output.line("audit log: \(Words.count(Int(chain.entries), "entry", plural: "entries")), \(Words.count(chain.rows, "row")) "
                            + "recomputed; head \(chain.headSequence) \(chain.headHash)")
                if let used {
                    Output.line("checkpoint: \(used.path) (entry \(used.sequence), signature "
                                + (used.signatureValid ? "valid" : "INVALID") + (used.signedByThisKey.map { $0 ? ", metl's key" : ", ANOTHER key" } ?? "") + ")")
                } else {
                    Output.line("checkpoint: none yet (metl audit checkpoint)")
                }
                Output.line("archive: \(Words.count(checked, "file")) checked")
                for finding in chain.findings { Output.line("BROKEN \(finding.kind.rawValue)" + (finding.sequence.map { " at entry \($0)" } ?? "") + ": \(finding.message)") }
                for finding in fileFindings { Output.line("BROKEN \(finding)") }
                if report.holds { Output.line("everything holds") }
            }
            if !report.holds { throw ExitStatus.findings }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Sign the log's head with metl's audit key into the archive's audit/checkpoint-SEQUENCE.json (every job run does so too).")
        @Option(help: "The archive directory (default: $METL_ARCHIVE_DIR, else archive/ beside a SQLite database).") var archiveDir: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (database, settings) = try await store.openStore(.reading)
            guard let key = try settings.auditSigningKey(nil, layers: .process) else {
                throw ConfigurationError(.missingValue, "a checkpoint needs metl's audit key: $METL_AUDIT_KEY_FILE or audit.signing_key_file "
                                         + "(32 bytes: openssl rand -base64 32)", isUsage: true)
            }
            let checkpoints = AuditCheckpoints(archive: Archive(root: try settings.archiveDirectory(archiveDir, layers: .process)))
            guard let written = try await checkpoints.write(database, key: key, at: Date()) else {
                return Output.line("the audit log is empty: nothing to sign")
            }
            if let url = settings.auditCheckpointURL(layers: .process) {
                try await CheckpointPublisher(url: url).publish(written.checkpoint)
            }
            if output.json { return try Output.json(written.checkpoint) }
            Output.line("\(written.path): entry \(written.checkpoint.sequence) \(written.checkpoint.hash), key \(written.checkpoint.publicKey)")
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "The audit log's entries, oldest first, filtered.")
        @Option(help: "Only entries at or after: a date or an RFC 3339 time.") var since: String?
        @Option(help: "Only entries before: a date (through its end) or an RFC 3339 time.") var until: String?
        @Option(help: "Only this actor's entries.") var actor: String?
        @Option(help: "Only entries of this action (\(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))).") var action: AuditAction?
        @Option(help: "Only entries naming this id.") var subject: String?
        @Option(help: "At most this many.") var limit = 1_000
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let lower = try since.map { try ListOptions.time($0, "--since", side: .lower) }
            let upper = try until.map { try ListOptions.time($0, "--until", side: .upper) }
            let (database, _) = try await store.openStore(.reading)
            var shown: [AuditEntry] = []
            var after: Int64 = 0
            reading: while shown.count < limit {
                let page = try await database.auditEntries(after: after, limit: 1_000)
                for entry in page {
                    after = entry.sequence
                    if let upper, entry.at >= upper { break reading }
                    if let lower, entry.at < lower { continue }
                    if let actor, entry.actor != actor { continue }
                    if let action, entry.action != action { continue }
                    if let subject, !entry.subjects.contains(subject) { continue }
                    shown.append(entry)
                    if shown.count == limit { break reading }
                }
                if page.count < 1_000 { break }
            }
            if output.json { return try Output.json(shown) }
            if shown.isEmpty { return Output.line("no entries") }
            Output.table(["#", "AT", "ACTOR", "ACTION", "SUBJECTS", "ROWS", "DETAIL", "HASH"], shown.map {
                [String($0.sequence), Timestamp.format($0.at), $0.actor, $0.action.rawValue,
                 $0.subjects.prefix(2).joined(separator: ",") + ($0.subjects.count > 2 ? ",… (\($0.subjects.count))" : ""),
                 String($0.rowCount), String($0.detail.prefix(60)), String($0.hash.prefix(16)) + "…"]
            })
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Write the entries of a span as JSON Lines with what a third party needs to verify them: the hash before, the entries to the first checkpoint after, and that signed checkpoint.")
        @Option(help: "Entries at or after: a date or an RFC 3339 time.") var since: String
        @Option(help: "Entries before: a date (through its end) or an RFC 3339 time.") var until: String
        @Argument(help: "The file to write (new, owner-only).") var file: String
        @Option(help: "The archive directory (default: $METL_ARCHIVE_DIR, else archive/ beside a SQLite database).") var archiveDir: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let lower = try ListOptions.time(since, "--since", side: .lower), upper = try ListOptions.time(until, "--until", side: .upper)
            let (database, settings) = try await store.openStore(.reading)
            guard let (_, checkpoint) = try AuditCheckpoints(archive: Archive(root: try settings.archiveDirectory(archiveDir, layers: .process))).latest() else {
                throw ConfigurationError(.missingValue, "no checkpoint to verify an export against: metl audit checkpoint first", isUsage: true)
            }
            guard FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: file) else {
                throw ValidationError("cannot create \(file)")
            }
            defer { try? handle.close() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            func write(_ line: AuditExport.Line) throws { handle.write(try encoder.encode(line) + Data("\n".utf8)) }
            var previousHash = AuditEntry.zeroHash, exported = 0, after: Int64 = 0, wroteHeader = false
            reading: while true {
                let page = try await database.auditEntries(after: after, limit: 1_000)
                for entry in page {
                    after = entry.sequence
                    guard entry.sequence <= checkpoint.sequence else { break reading }
                    if entry.at < lower { previousHash = entry.hash; continue }
                    if !wroteHeader {
                        try write(.init(header: .init(since: Timestamp.format(lower), until: Timestamp.format(upper), hashBefore: previousHash)))
                        wroteHeader = true
                    }
                    let inSpan = entry.at < upper
                    if inSpan { exported += 1 }
                    try write(.init(entry: entry, bridge: inSpan ? nil : true))
                }
                if page.count < 1_000 { break }
            }
            guard wroteHeader else { throw ValidationError("no entries in that span before the latest checkpoint (entry \(checkpoint.sequence))") }
            try write(.init(checkpoint: checkpoint))
            Output.line("\(file): \(Words.count(exported, "entry", plural: "entries")) and checkpoint \(checkpoint.sequence)")
        }
    }

    struct VerifyExport: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            commandName: "verify-export",
            abstract: "Check an export without the database: every entry's hash, the chain to the checkpoint and its signature; exit 1 if anything does not hold.")
        @Argument(help: "The export (JSON Lines).") var file: String
        @Option(help: "The Ed25519 public key (base64) the checkpoint must be signed with.") var publicKey: String?

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            var check = AuditExport.Check()
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                guard let decoded = try? JSONDecoder().decode(AuditExport.Line.self, from: Data(line)) else {
                    Output.line("BROKEN a line is not JSON of the export format")
                    throw ExitStatus.findings
                }
                check.consume(decoded)
            }
            let holds = check.finish()
            if holds, let publicKey, check.checkpoint?.publicKey != publicKey {
                Output.line("BROKEN the checkpoint is signed with another key")
                throw ExitStatus.findings
            }
            guard holds else {
                Output.line("BROKEN \(check.problem ?? "")")
                throw ExitStatus.findings
            }
            Output.line("\(Words.count(check.entries, "entry", plural: "entries")) hold, chained to checkpoint \(check.checkpoint?.sequence ?? 0) "
                        + "signed by \(check.checkpoint?.publicKey ?? "")")
        }
    }
}
