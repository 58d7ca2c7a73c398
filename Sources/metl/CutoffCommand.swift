import ArgumentParser
import MetlConfiguration
import Foundation
import Synchronization
import Logging
import NACHA
import Payments
import Pipeline

struct CutoffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "cutoff",
        abstract: "Collect what is due (P_VALIDATED payments, check issues and voids), render the bank's files and deliver them inside the window.",
        discussion: """
            For a cutoff: 0 done, 1 a file needs attention (remote conflict), 6 another cutoff holds the lock, \
            7 window missed (resumable: run again), 8 configuration (missing setting, untrusted host key, bad credentials).
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var cutoff: CutoffOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var metrics: MetricsOptions
    @Option(name: .customLong("dry-run"), help: "Render and validate into this directory (- for stdout); record and send nothing.")
    var dryRun: String?

    func validate() throws {
        if dryRun == "-", output.json {
            throw ValidationError("--json and --dry-run - both print on standard output; give --dry-run a directory")
        }
    }

    /// A file a dry run rendered, as `--json` prints it.
    struct DryRunFile: Encodable {
        @Nullable var profile: String?
        var name: String, path: String, size: Int, sha256: String
    }

    /// A run that stopped, as `--json` prints it: what it did before it stopped (the summary's
    /// members, when it got as far as running), and why, with the exit status it gives.
    struct StoppedRun: Encodable {
        var summary: CutoffJob.Summary?
        @Nullable var profile: String?
        var error: Stop

        enum CodingKeys: String, CodingKey { case profile, error }

        func encode(to encoder: any Encoder) throws {
            try summary?.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            if summary == nil { try container.encode(_profile, forKey: .profile) }
            try container.encode(error, forKey: .error)
        }

        struct Stop: Encodable {
            var code: String
            var exitStatus: Int32
            var message: String
            enum CodingKeys: String, CodingKey { case code, exitStatus = "exit_status", message }
        }
    }

    /// Each profile's run: its summary, or why it stopped.
    enum Run: Encodable {
        case finished(CutoffJob.Summary)
        case stopped(StoppedRun)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .finished(let summary): try summary.encode(to: encoder)
            case .stopped(let stopped): try stopped.encode(to: encoder)
            }
        }
    }

    func run() async throws {
        let jobs: [CutoffJob]
        let settings: Settings
        let database: any LedgerStore
        do {
            (database, jobs, settings) = try await cutoff.jobs(store, json: output.json, sending: dryRun == nil)
        } catch where output.json && dryRun == nil {
            // What the units and metl-cron log is the JSON: it says why nothing ran, too.
            let stop = StoppedRun(summary: nil, profile: nil, error: .init(code: Self.code(of: error), exitStatus: ExitStatus.for(error).code,
                                                             message: ExitStatus.message(for: error).joined(separator: "; ")))
            try Output.json(stop)
            throw error
        }
        if let dryRun {
            try await preview(jobs, into: dryRun)
            return
        }
        let summaries = Mutex<[CutoffJob.Summary]>([])
        try await JobAudit.around("cutoff", actor: .cutoff, store: database, settings: settings,
                                  archive: Archive(root: try settings.archiveDirectory(cutoff.archiveDir, layers: .process)),
                                  logger: Log.make("metl.cutoff", json: output.json), metrics: metrics,
                                  counts: { Self.counts(summaries.withLock { $0 }) }) {
            try await send(jobs, settings: settings, database: database) { summary in summaries.withLock { $0.append(summary) } }
        }
    }

    /// A run's counts for its metrics file, over every profile's summary.
    static func counts(_ summaries: [CutoffJob.Summary]) -> [(name: String, value: Int, help: String)] {
        func total(_ value: (CutoffJob.Summary) -> Int) -> Int { summaries.reduce(0) { $0 + value($1) } }
        return [("files_uploaded", total(\.filesUploaded), "Files the last run uploaded."),
                ("files_failed", total(\.filesFailed), "Files the last run could not upload."),
                ("files_awaiting_approval", total(\.filesAwaitingApproval), "Files the last run left held for approval."),
                ("payments_submitted", total(\.paymentsSubmitted), "Payments the last run submitted to the bank."),
                ("checks_submitted", total(\.checkRecordsSubmitted), "Check records the last run submitted."),
                ("decisions_submitted", total(\.decisionsSubmitted), "Exception decisions the last run submitted."),
                ("uploaded_bytes", total(\.bytesUploaded), "Bytes the last run uploaded.")]
    }

    /// Runs every profile's cutoff and reports each.
    private func send(_ jobs: [CutoffJob], settings: Settings, database: any LedgerStore,
                      finished: (CutoffJob.Summary) -> Void) async throws {
        // Every profile runs, each under its own lock, even when an earlier one stopped; the exit
        // status is the first one that did.
        let terminal = Output.isTerminal && !output.json
        var runs: [Run] = []
        var stopped: (any Error)?
        let alerts = JobAlerts(store: database, routing: settings.alerts.routing, logger: Log.make("metl.cutoff", json: output.json))
        for job in jobs {
            let (summary, stop) = await job.runReporting { progress in
                guard terminal else { return }
                switch progress {
                case .collected(let kind, let items): Output.progress("collected \(items) for \(kind) files")
                case .rendered(let name, let entries): Output.progress("rendered \(name) (\(Words.count(entries, "entry", plural: "entries")))")
                case .uploaded(let name, let bytes): Output.progress("uploaded \(name) (\(bytes) bytes)")
                }
            }
            await alerts.cutoffEnded(profile: job.profile, summary: summary, error: stop, at: settings.clock())
            finished(summary)
            guard let error = stop else {
                runs.append(.finished(summary))
                continue
            }
            var message = error.message
            // The run that resumes it: the next one of its kind (ACH, when it ran every kind: the files that matter most).
            if error.code == .windowMissed, let next = settings.schedule.nextCutoff(sending: cutoff.kind ?? .ach, after: settings.clock()) {
                message += " (the next scheduled run: \(Output.localTime(next)) \(TimeZone.current.identifier), by metl schedule show)"
            }
            Output.error("metl: \(message)")
            runs.append(.stopped(StoppedRun(summary: summary, profile: job.profile, error: .init(code: error.code.rawValue,
                                                                                                  exitStatus: error.exitStatus.code, message: message))))
            stopped = stopped ?? error.exitStatus
        }
        if terminal { Output.progress(nil) }
        let summaries = runs.compactMap { if case .finished(let summary) = $0 { summary } else { nil } }
        if output.json {
            if jobs.count == 1, let run = runs.first { try Output.json(run) } else { try Output.json(runs) }
        } else {
            summaries.forEach(Self.print)
        }
        if let stopped { throw stopped }
        if summaries.contains(where: { $0.filesFailed > 0 || !$0.leftOut.isEmpty }) { throw ExitStatus.findings }
    }

    private func preview(_ jobs: [CutoffJob], into directory: String) async throws {
        var previewed: [DryRunFile] = []
        for job in jobs {
            let files = try await PipelineError.mapping { () throws(PipelineError) in try await job.preview() }
            for file in files {
                var path = "-"
                if directory == "-" {
                    FileHandle.standardOutput.write(Data(file.bytes))
                } else {
                    let url = URL(fileURLWithPath: directory).appendingPathComponent(file.name)
                    // Rendered files hold full account numbers: owner-only, whatever the umask.
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                    guard FileManager.default.createFile(atPath: url.path, contents: Data(file.bytes),
                                                         attributes: [.posixPermissions: 0o600]) else {
                        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
                    }
                    path = url.path
                    if !output.json { Output.error("dry run: \(path) (\(Words.count(file.bytes.count, "byte")), valid)") }
                }
                previewed.append(DryRunFile(profile: job.profile, name: file.name, path: path, size: file.bytes.count,
                                            sha256: SHA256Digest.hex(file.bytes)))
            }
        }
        if output.json { try Output.json(previewed) } else if previewed.isEmpty { Output.error("dry run: nothing is due to be sent") }
    }

    private static func print(_ summary: CutoffJob.Summary) {
        let checks = summary.checkRecordsCollected + summary.checkRecordsSubmitted > 0
        let decisions = summary.decisionsCollected + summary.decisionsSubmitted > 0
        let collected = "\(Words.count(summary.paymentsCollected, "payment")) "
            + (checks ? "and \(Words.count(summary.checkRecordsCollected, "check record")) " : "")
            + (decisions ? "and \(Words.count(summary.decisionsCollected, "decision")) " : "") + "collected"
        let files = "\(Words.count(summary.filesRendered, "file")) rendered, \(summary.filesResumed) resumed, "
            + "\(summary.filesUploaded) uploaded, \(summary.filesAlreadyAtBank) already at the bank, \(summary.filesFailed) failed"
        let submitted = "\(Words.count(summary.paymentsSubmitted, "payment")) "
            + (checks ? "and \(Words.count(summary.checkRecordsSubmitted, "check record")) " : "")
            + (decisions ? "and \(Words.count(summary.decisionsSubmitted, "decision")) " : "")
            + "submitted, \(Words.count(summary.bytesUploaded, "byte")) sent"
        let name = summary.profile.map { "cutoff (profile \($0))" } ?? "cutoff"
        Output.line("\(name): \(collected), \(files); \(submitted)")
        if summary.filesAwaitingApproval + summary.filesExpired > 0 {
            Output.line("  \(Words.count(summary.filesAwaitingApproval, "file")) awaiting approval (metl approvals list --pending)"
                        + (summary.filesExpired > 0 ? ", \(summary.filesExpired) expired unapproved" : ""))
        }
        for file in summary.files {
            Output.line("  \(file.name)  \(file.status)  \(Words.count(file.entries, "entry", plural: "entries"))  debit \(Dollars.format(file.totalDebit))  "
                        + "credit \(Dollars.format(file.totalCredit))  \(file.remotePath ?? "")")
        }
        for alert in summary.alerts { Output.error("ALERT \(alert)") }
        for item in summary.leftOut { Output.error("LEFT OUT \(item)") }
    }
}

extension CutoffCommand {
    /// The code `--json` names a refusal by: the error's own, or the kind of error.
    static func code(of error: any Error) -> String {
        switch error {
        case let error as ConfigurationError: error.code.rawValue
        case let error as PipelineError: error.code.rawValue
        case let error as StoreError: error.code.rawValue
        default: "\(type(of: error))"
        }
    }
}

extension PipelineError {
    /// The executable's exit status for this error.
    var exitStatus: ExitStatus {
        switch code {
        case .lockHeld: .lockHeld
        case .windowMissed: .windowMissed
        case .configuration: .configuration
        case .unreachable: .unreachable
        case .fileIDModifiersExhausted, .invalidStatus: .conflict
        case .notFound: .notFound
        default: .internalError
        }
    }

    /// Runs a job step, turning its typed error into the executable's exit status.
    static func mapping<T>(_ body: () async throws(PipelineError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            Output.error("metl: \(error.message)")
            throw error.exitStatus
        }
    }
}
