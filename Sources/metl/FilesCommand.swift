import ArgumentParser
import Foundation
import MetlConfiguration
import NACHA
import Payments
import Pipeline

struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "files", abstract: "Outbound files (NACHA, Positive Pay issue files): list, show, retry, cancel.",
        subcommands: [List.self, Show.self, Verify.self, Retry.self, Cancel.self])

    struct FileDocument: Encodable {
        var id: String, kind: String, name: String, status: String, sha256: String, size: Int64, entryCount: Int
        /// The bank profile whose cutoff rendered it (null without profiles, or before metl recorded it).
        @Nullable var profile: String?
        /// NACHA files only.
        var immediateOrigin: String?, immediateDestination: String?, creationDate: String?, creationTime: String?
        var fileIDModifier: String?, batchCount: Int?, entryAddendaCount: Int?, entryHash: Int?
        var totalDebit: Int64, totalCredit: Int64
        var archivePath: String, attempts: Int, createdAt: String
        @Nullable var remotePath: String?
        @Nullable var failureReason: String?
        @Nullable var uploadedAt: String?
        /// Each try at delivering it that failed before the bank had it, oldest first.
        var deliveryFailures: [Failure]
        /// Held files: the approvals needed and given, and when the approval window closes.
        var approval: ApprovalCount?
        var approvalDeadline: String?

        struct Failure: Encodable {
            var at: String, error: String
        }
        /// Sealed files only: the plaintext auditors inspect, and the keys (sha256, size and
        /// archive path above are then the sealed bytes sent).
        var sealing: Sealing?

        struct Sealing: Encodable {
            var plaintextSHA256: String, plaintextSize: Int64, plaintextArchivePath: String, recipient: String, signer: String?
            enum CodingKeys: String, CodingKey {
                case plaintextSHA256 = "plaintext_sha256", plaintextSize = "plaintext_size", plaintextArchivePath = "plaintext_archive_path",
                     recipient, signer
            }
        }
        /// What a file of its kind carries, counted: payments, check records or decisions.
        static func carries(_ file: OutboundFile) -> String {
            switch file.kind {
            case .positivePay: Words.count(file.entryCount, "check record")
            case .decisions: Words.count(file.entryCount, "decision")
            default: Words.count(file.entryCount, "payment")
            }
        }

        /// Its totals as its kind means them: ACH debits and credits, the checks' amount, the returns decided.
        static func total(_ file: OutboundFile) -> String {
            switch file.kind {
            case .positivePay: "drawing \(Dollars.format(file.totalDebit))"
            case .decisions: "returning \(Dollars.format(file.totalCredit))"
            default: "debit \(Dollars.format(file.totalDebit)), credit \(Dollars.format(file.totalCredit))"
            }
        }

        var payments: [Binding]?
        /// Positive Pay issue files: each check record, issue or void.
        var checks: [CheckRecord]?
        /// Decision files: each decision.
        var decisions: [ExceptionDecisionDocument]?

        struct CheckRecord: Encodable {
            var checkID: String, record: String, state: String, line: Int, serial: String, amount: Int64
            enum CodingKeys: String, CodingKey { case checkID = "check_id", record, state, line, serial, amount }

            init(_ check: CheckIssue, in fileID: String) {
                checkID = check.id
                let issued = check.issueRecord?.fileID == fileID
                record = issued ? PendingCheckRecord.Action.issue.rawValue : PendingCheckRecord.Action.void.rawValue
                state = check.state.rawValue
                line = (issued ? check.issueRecord?.line : check.voidRecord?.line) ?? 0
                serial = check.serial
                amount = check.amount
            }
        }

        struct Binding: Encodable {
            /// A string, as everywhere a trace number is shown: 15 digits an ODFI prefix makes significant.
            var paymentID: String, state: String, batchNumber: Int, traceNumber: String, line: Int, amount: Int64, direction: String
            enum CodingKeys: String, CodingKey {
                case paymentID = "payment_id", state, batchNumber = "batch_number", traceNumber = "trace_number", line, amount, direction
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, name, status, sha256, size, entryCount = "entry_count", profile, immediateOrigin = "immediate_origin", immediateDestination = "immediate_destination",
                 creationDate = "creation_date", creationTime = "creation_time", fileIDModifier = "file_id_modifier",
                 batchCount = "batch_count", entryAddendaCount = "entry_addenda_count", entryHash = "entry_hash",
                 totalDebit = "total_debit", totalCredit = "total_credit", archivePath = "archive_path", remotePath = "remote_path",
                 attempts, failureReason = "failure_reason", createdAt = "created_at", uploadedAt = "uploaded_at",
                 deliveryFailures = "delivery_failures", sealing, payments, checks, decisions, approval,
                 approvalDeadline = "approval_deadline"
        }

        init(_ file: OutboundFile, failures: [DeliveryFailure], payments: [(payment: Payment, binding: FileBinding)]? = nil,
             checks: [CheckIssue]? = nil, decisions: [ExceptionDecision]? = nil) {
            deliveryFailures = failures.map { Failure(at: Timestamp.format($0.at), error: $0.error) }
            self.checks = checks?.map { CheckRecord($0, in: file.id) }
            self.decisions = decisions?.map(ExceptionDecisionDocument.init)
            id = file.id
            kind = file.kind.rawValue
            name = file.name
            status = file.status.rawValue
            sha256 = file.sha256
            size = file.size
            entryCount = file.entryCount
            profile = file.profile
            immediateOrigin = file.nacha?.immediateOrigin
            immediateDestination = file.nacha?.immediateDestination
            creationDate = file.nacha?.creationDate.description
            creationTime = file.nacha.map { String(format: "%02d:%02d", $0.creationTime.hour, $0.creationTime.minute) }
            fileIDModifier = file.nacha?.fileIDModifier
            batchCount = file.nacha?.batchCount
            entryAddendaCount = file.nacha?.entryAddendaCount
            entryHash = file.nacha?.entryHash
            totalDebit = file.totalDebit
            totalCredit = file.totalCredit
            archivePath = file.archivePath
            remotePath = file.remotePath
            attempts = file.attempts
            failureReason = file.failureReason
            createdAt = Timestamp.format(file.createdAt)
            uploadedAt = file.uploadedAt.map(Timestamp.format)
            approval = file.approval
            approvalDeadline = file.approvalDeadline.map(Timestamp.format)
            sealing = file.sealing.map {
                Sealing(plaintextSHA256: $0.plaintextSHA256, plaintextSize: $0.plaintextSize, plaintextArchivePath: $0.plaintextArchivePath,
                        recipient: $0.recipient, signer: $0.signer)
            }
            self.payments = payments?.map {
                Binding(paymentID: $0.payment.id, state: $0.payment.state.rawValue, batchNumber: $0.binding.batchNumber,
                        traceNumber: TraceNumber.text($0.binding.traceNumber), line: $0.binding.line, amount: $0.payment.amount,
                        direction: $0.payment.direction.rawValue)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "List outbound files, oldest first, a page at a time.",
            discussion: "--json prints {data, next_cursor}; pass next_cursor to --after for the next page.")
        @Option(help: "Only files in this status.") var status: OutboundFileStatus?
        @Option(help: "Only files of this kind: nacha, positive-pay or decisions.") var kind: OutboundFileKind?
        @Option(help: "Only files this bank profile's cutoff rendered.") var profile: String?
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: OutboundFile.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            // A few files a day: chosen from all of them, as a store would.
            let files = try await store.outboundFiles(statuses: status.map { [$0] })
                .filter { (kind == nil || $0.kind == kind) && (profile == nil || $0.profile == profile) }
            let page = try await ListPage.fetch(window, id: \.id) { window in window.select(files, id: \.id, createdAt: \.createdAt) }
            let failures = Dictionary(grouping: try await store.deliveryFailures(fileIDs: page.data.map(\.id)), by: \.fileID)
            try ListOptions.print(page, json: output.json, document: { FileDocument($0, failures: failures[$0.id] ?? []) },
                                  empty: "no outbound files",
                                  header: ["ID", "CREATED", "KIND", "NAME", "STATUS", "CARRIES", "TOTAL", "ATTEMPTS", "FAILED TRIES", "REASON OR LAST FAILURE"]) {
                let tried = failures[$0.id] ?? []
                return [$0.id, Timestamp.format($0.createdAt), $0.kind.rawValue, $0.name, $0.status.rawValue, FileDocument.carries($0),
                        FileDocument.total($0), String($0.attempts), String(tried.count),
                        $0.failureReason ?? tried.last.map { "\(Timestamp.format($0.at)): \($0.error)" } ?? ""]
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "A file's header, totals, hash, paths and payments.")
        @Argument(help: "File id or name.") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            if id.hasPrefix(InboundFile.idPrefix + "_") {
                throw ValidationError("\(id) is a file the bank sent; metl ingest show \(id) shows it")
            }
            let (store, _) = try await store.openStore(.reading)
            let file = try await store.outboundFile(id: id)
            let payments = try await store.filePayments(fileID: file.id)
            let checks = file.kind == .positivePay ? try await store.fileChecks(fileID: file.id) : nil
            let decisions = file.kind == .decisions ? try await store.fileDecisions(fileID: file.id) : nil
            let failures = try await store.deliveryFailures(fileIDs: [file.id])
            let document = FileDocument(file, failures: failures, payments: file.kind == .nacha ? payments : nil, checks: checks,
                                        decisions: decisions)
            if output.json { return try Output.json(document) }
            Output.line("\(file.name)  \(file.kind) \(file.status.rawValue)  (\(file.id))")
            if let nacha = file.nacha {
                Output.line("  origin \(nacha.immediateOrigin) → destination \(nacha.immediateDestination), created \(nacha.creationDate) "
                            + "\(document.creationTime ?? ""), modifier \(nacha.fileIDModifier)")
                Output.line("  \(Words.count(nacha.batchCount, "batch", plural: "batches")), \(nacha.entryAddendaCount) entries+addenda, hash \(nacha.entryHash)")
            }
            Output.line("  \(FileDocument.carries(file)), \(FileDocument.total(file))")
            if let sealing = file.sealing {
                Output.line("  OpenPGP: encrypted to \(sealing.recipient)" + (sealing.signer.map { ", signed by \($0)" } ?? ", not signed"))
                Output.line("  plaintext sha256 \(sealing.plaintextSHA256), \(sealing.plaintextSize) bytes, archive \(sealing.plaintextArchivePath)")
                Output.line("  sent sha256 \(file.sha256), \(file.size) bytes, archive \(file.archivePath)")
            } else {
                Output.line("  sha256 \(file.sha256), \(file.size) bytes")
                Output.line("  archive \(file.archivePath)")
            }
            Output.line("  remote \(file.remotePath ?? "-"), attempts \(file.attempts)"
                        + (file.uploadedAt.map { ", uploaded \(Timestamp.format($0))" } ?? "")
                        + (file.failureReason.map { ", failure: \($0)" } ?? ""))
            if let approval = file.approval {
                Output.line("  approvals \(approval.given) of \(approval.required)"
                            + (file.approvalDeadline.map { ", window closes \(Output.localTime($0))" } ?? "") + " (metl approvals show \(file.id))")
            }
            if !failures.isEmpty {
                Output.line("  \(Words.count(failures.count, "failed delivery try", plural: "failed delivery tries")):")
                for failure in failures { Output.line("    \(Timestamp.format(failure.at))  \(failure.error)") }
            }
            Output.line()
            if let decisions = document.decisions {
                return Output.table(["ID", "EXCEPTION", "DECISION", "RETURN REASON", "STATE"], decisions.map {
                    [$0.id, $0.exceptionID, $0.decision, $0.returnReason ?? "", $0.state]
                })
            }
            if let records = document.checks {
                return Output.table(["CHECK", "RECORD", "STATE", "LINE", "SERIAL", "AMOUNT"], records.map {
                    [$0.checkID, $0.record, $0.state, String($0.line), $0.serial, Dollars.format($0.amount)]
                })
            }
            Output.table(["PAYMENT", "STATE", "BATCH", "TRACE", "LINE", "DIRECTION", "AMOUNT"], payments.map {
                [$0.payment.id, $0.payment.state.rawValue, String($0.binding.batchNumber), String($0.binding.traceNumber),
                 String($0.binding.line), $0.payment.direction.rawValue, Dollars.format($0.payment.amount)]
            })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Upload a failed file again: the same archived bytes.")
        @Argument(help: "File id or name.") var id: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var cutoff: CutoffOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (database, jobs, _) = try await cutoff.jobs(store, json: output.json)
            _ = try await acting.actor(database, .operator, to: "retry a file")
            // The cutoff of the file's kind and bank profile, which holds that profile's lock.
            let file = try await database.outboundFile(id: id)
            let job = jobs.first { $0.sends(file) } ?? jobs[0]
            let summary = try await PipelineError.mapping { () throws(PipelineError) in try await job.retry(fileID: file.id) }
            if output.json { try Output.json(summary) } else {
                for file in summary.files { Output.line("\(file.name): \(file.status)") }
                for alert in summary.alerts { Output.error("ALERT \(alert)") }
            }
            if summary.filesFailed > 0 { throw ExitStatus.findings }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Cancel a file that was never sent; its payments go back to unbound P_VALIDATED.")
        @Argument(help: "File id or name.") var id: String
        @Option(help: "Why, recorded in each payment's history.") var reason = "cancelled by operator"
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, _) = try await store.openStore()
            let file = try await store.cancelFile(fileID: id, actor: try await acting.actor(store, .operator, to: "cancel a file"), reason: reason)
            if output.json { return try Output.json(FileDocument(file, failures: try await store.deliveryFailures(fileIDs: [file.id]))) }
            Output.line("cancelled \(file.name); its \(Words.count(file.entryCount, "payment")) \(file.entryCount == 1 ? "is" : "are") P_VALIDATED and unbound again")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Check outbound files against the ledger: archived bytes, a sealed file's plaintext, and the bank's copy.",
            discussion: """
                Each file's archived bytes (and a sealed file's plaintext) must have the size and SHA-256 the ledger \
                recorded. An uploaded file's copy is read back from its destination with the cutoff's settings, where \
                they are configured and the server can be reached; a copy the bank has collected is reported, not a \
                finding. Exit 1 when any file's bytes differ or its archived copy is gone. Nothing is changed.
                """)
        @Argument(help: "File ids or names (or --all).") var ids: [String] = []
        @Flag(help: "Every outbound file.") var all = false
        @Flag(help: "Check the archive only; do not read the bank's copies.") var archiveOnly = false
        @OptionGroup var store: StoreOptions
        @OptionGroup var cutoff: CutoffOptions
        @OptionGroup var output: OutputOptions

        struct Document: Encodable {
            var id: String, name: String, status: String, intact: Bool
            var archive: Check
            var plaintext: Check?
            var remote: Check

            struct Check: Encodable {
                var outcome: String
                @Nullable var detail: String?

                init(_ outcome: FileVerification.Outcome) {
                    switch outcome {
                    case .matches: (self.outcome, detail) = ("matches", nil)
                    case .differs(let reason): (self.outcome, detail) = ("differs", reason)
                    case .absent(let reason): (self.outcome, detail) = ("absent", reason)
                    case .notChecked(let reason): (self.outcome, detail) = ("not_checked", reason)
                    }
                }
            }
        }

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("name the files to verify, or --all") }
        }

        func run() async throws {
            let settings = try store.settings()
            var jobs: [CutoffJob] = []
            var database: any LedgerStore
            var remoteUnchecked = "--archive-only"
            if archiveOnly {
                database = try await settings.openStore(.reading)
            } else {
                do {
                    (database, jobs, _) = try await cutoff.jobs(store, json: output.json, access: .reading)
                } catch let error as ConfigurationError {
                    // Without the cutoff's settings the bank's copies cannot be read; the archive still can.
                    remoteUnchecked = "no destination to read back: " + error.problems.joined(separator: "; ")
                    database = try await settings.openStore(.reading)
                }
            }
            var files = all ? try await database.outboundFiles(statuses: nil) : []
            for id in ids { files.append(try await database.outboundFile(id: id)) }
            let archive = Archive(root: try settings.archiveDirectory(cutoff.archiveDir, layers: .process))
            var verified: [FileVerification] = []
            var left = files
            for job in jobs {
                let mine = left.filter(job.sends)
                left.removeAll(where: job.sends)
                verified += await job.verify(mine)
            }
            verified += left.map { FileVerifier(archive: archive).verifyArchive($0, remote: remoteUnchecked) }
            let byID = Dictionary(verified.map { ($0.file.id, $0) }) { first, _ in first }
            let ordered = files.compactMap { byID[$0.id] }
            if output.json {
                try Output.json(ordered.map {
                    Document(id: $0.file.id, name: $0.file.name, status: $0.file.status.rawValue, intact: $0.isIntact, archive: .init($0.archive),
                             plaintext: $0.plaintext.map(Document.Check.init), remote: .init($0.remote))
                })
            } else {
                for verification in ordered {
                    Output.line("\(verification.isIntact ? "OK     " : "FAILED ") \(verification.file.name) (\(verification.file.id), \(verification.file.status.rawValue))")
                    Output.line("        archive: \(Self.text(verification.archive))")
                    if let plaintext = verification.plaintext { Output.line("        plaintext: \(Self.text(plaintext))") }
                    Output.line("        bank's copy: \(Self.text(verification.remote))")
                }
                let failed = ordered.filter { !$0.isIntact }.count
                Output.line("\(Words.count(ordered.count, "file")) verified, \(failed) failed")
            }
            if ordered.contains(where: { !$0.isIntact }) { throw ExitStatus.findings }
        }

        static func text(_ outcome: FileVerification.Outcome) -> String {
            switch outcome {
            case .matches: "matches the ledger's SHA-256"
            case .differs(let reason): "DIFFERS: " + reason
            case .absent(let reason): "absent: " + reason
            case .notChecked(let reason): "not checked (" + reason + ")"
            }
        }
    }
}
