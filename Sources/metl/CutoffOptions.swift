import ArgumentParser
import Foundation
import Payments
import Logging
import NACHA
import Pipeline
import Store

/// The cutoff's settings as flags, each with a `METL_` environment variable, so a timer unit needs no config file.
struct CutoffOptions: ParsableArguments {
    @Option(help: "file:///DIR or sftp://USER@HOST:PORT/DIR ($METL_DESTINATION).") var destination: String?
    @Option(help: "Private key for SFTP ($METL_IDENTITY_FILE; passphrase in $METL_IDENTITY_PASSPHRASE; or a password in $METL_SFTP_PASSWORD).")
    var identityFile: String?
    @Option(help: "known_hosts file; host keys are always verified ($METL_KNOWN_HOSTS).") var knownHosts: String?
    @Option(help: "Our bank's 9-digit routing number ($METL_ODFI_ROUTING).") var odfiRouting: String?
    @Option(help: "File header immediate destination ($METL_IMMEDIATE_DESTINATION).") var immediateDestination: String?
    @Option(help: "File header immediate origin; default the ODFI routing ($METL_IMMEDIATE_ORIGIN).") var immediateOrigin: String?
    @Option(help: "File header origin name ($METL_ORIGIN_NAME).") var originName: String?
    @Option(help: "File header destination name ($METL_DESTINATION_NAME).") var destinationName: String?
    @Option(help: "Time window from the job's start, e.g. 15m, 90s ($METL_CUTOFF_WINDOW; default 15m).") var window: String?
    @Option(help: "At most this many entries per file ($METL_MAX_FILE_ENTRIES; default 50000).") var maxEntries: Int?
    @Option(help: "At most this many cents (debits + credits) per file ($METL_MAX_FILE_CENTS).") var maxAmount: Int64?
    @Option(help: "File name template ($METL_FILENAME_TEMPLATE; default \(FilenameTemplate.defaultNACHA.template)).")
    var filenameTemplate: String?
    @Option(help: "Archive directory ($METL_ARCHIVE_DIR; default: archive/ next to a SQLite database; required with PostgreSQL).")
    var archiveDir: String?
    @Option(help: "lf or crlf ($METL_LINE_ENDING; default lf).") var lineEnding: String?
    @Option(help: "Send only this kind: ach, positive-pay or decisions (default: every kind that has something due).") var kind: String?
    @Option(help: "Where Positive Pay issue files go ($METL_POSITIVE_PAY_DESTINATION; default the ACH destination).")
    var positivePayDestination: String?
    @Option(help: "Issue file name template ($METL_POSITIVE_PAY_FILENAME_TEMPLATE; default \(FilenameTemplate.defaultPositivePay.template)).")
    var positivePayFilenameTemplate: String?
    @Option(help: "Where decision files go ($METL_DECISIONS_DESTINATION; default the ACH destination).") var decisionsDestination: String?
    @Option(help: "Decision file name template ($METL_DECISIONS_FILENAME_TEMPLATE; default \(FilenameTemplate.defaultDecisions.template)).")
    var decisionsFilenameTemplate: String?
    @OptionGroup var sealing: SealingOptions

    /// The job on the database `store` names, logging to standard error.
    func job(_ store: StoreOptions, json: Bool) async throws -> CutoffJob {
        let logger = Log.make("metl.cutoff", json: json)
        // The configuration is checked whole before the database is opened.
        let settings = try store.settings()
        let settingsForJob = try self.settings(database: settings.database, logger: logger)
        let database = try await settings.openStore()
        guard settings.fixedClock != nil else {
            return CutoffJob(settings: settingsForJob, store: database, logger: logger)
        }
        logger.warning("METL_CLOCK is set: files are dated \(ProcessInfo.processInfo.environment["METL_CLOCK"] ?? ""), not now")
        return CutoffJob(settings: settingsForJob, store: database, logger: logger, now: settings.clock)
    }

    /// The kinds a cutoff sends: `--kind`, else all of them.
    enum SentKind: String, CaseIterable {
        case ach
        case positivePay = "positive-pay"
        case decisions
    }

    func settings(database: String, logger: Logger) throws -> CutoffJob.Settings {
        let environment = ProcessInfo.processInfo.environment
        let sent: [SentKind]
        if let kind {
            guard let parsed = SentKind(rawValue: kind) else {
                throw ConfigurationError(message: "--kind must be one of \(SentKind.allCases.map(\.rawValue).joined(separator: ", "))",
                                         isUsage: true)
            }
            sent = [parsed]
        } else {
            sent = SentKind.allCases
        }
        let sftp = DestinationURL.SFTPSettings.resolved(identityFile: identityFile, knownHosts: knownHosts, environment: environment)
        func target(_ url: String) throws -> any Destination {
            do {
                return try DestinationURL.parse(url, sftp: sftp, logger: logger)
            } catch {
                let hint = url.lowercased().hasPrefix("sftp:") ? DestinationURL.SFTPSettings.hint : ""
                throw ConfigurationError(message: error.message + hint)
            }
        }
        let windowText = value(window, "METL_CUTOFF_WINDOW") ?? "15m"
        guard let windowDuration = Duration(parsing: windowText), windowDuration > .zero else {
            throw ConfigurationError(message: "window \(windowText) is not a duration like 15m, 90s or 1h")
        }
        var limits = FileAssembler.Limits()
        if let entries = maxEntries ?? value(nil, "METL_MAX_FILE_ENTRIES").flatMap(Int.init) { limits.maximumEntriesPerFile = entries }
        if let amount = maxAmount ?? value(nil, "METL_MAX_FILE_CENTS").flatMap(Int64.init) { limits.maximumAmountPerFile = amount }
        guard limits.maximumEntriesPerFile > 0, limits.maximumAmountPerFile > 0 else {
            throw ConfigurationError(message: "file limits must be positive")
        }
        let ending = value(lineEnding, "METL_LINE_ENDING") ?? "lf"
        guard let parsedEnding = Writer.LineEnding(rawValue: ending.lowercased()) else {
            throw ConfigurationError(message: "line ending must be lf or crlf")
        }
        let archive = try archiveDirectory(archiveDir, database: database)
        let sealing = try self.sealing.sealing(database: database)
        var kinds: [CutoffJob.Kind] = []
        for kind in sent {
            switch kind {
            case .ach:
                let profile: BankProfile
                do {
                    profile = try BankProfile(
                        odfiRouting: try required(odfiRouting, "METL_ODFI_ROUTING", "--odfi-routing"),
                        immediateDestination: try required(immediateDestination, "METL_IMMEDIATE_DESTINATION", "--immediate-destination"),
                        immediateOrigin: value(immediateOrigin, "METL_IMMEDIATE_ORIGIN"),
                        originName: try required(originName, "METL_ORIGIN_NAME", "--origin-name"),
                        destinationName: try required(destinationName, "METL_DESTINATION_NAME", "--destination-name"))
                } catch let error as PipelineError {
                    throw ConfigurationError(message: error.message)
                }
                let filenames = value(filenameTemplate, "METL_FILENAME_TEMPLATE").map(FilenameTemplate.init) ?? .defaultNACHA
                kinds.append(CutoffJob.Kind(
                    renderer: NACHAFileRenderer(profile: profile, limits: limits, filenames: filenames, lineEnding: parsedEnding),
                    destination: try target(try required(destination, "METL_DESTINATION", "--destination"))))
            case .positivePay:
                let url = try value(positivePayDestination, "METL_POSITIVE_PAY_DESTINATION")
                    ?? required(destination, "METL_DESTINATION", "--positive-pay-destination or --destination")
                var settings = PositivePayFileRenderer.Settings()
                if let template = value(positivePayFilenameTemplate, "METL_POSITIVE_PAY_FILENAME_TEMPLATE") {
                    settings.filenames = FilenameTemplate(template)
                }
                if let bank = environment["METL_POSITIVE_PAY_BANK_NUMBER"] { settings.bankNumber = bank }
                if let code = environment["METL_POSITIVE_PAY_ISSUE_CODE"] { settings.issueCode = code }
                if let code = environment["METL_POSITIVE_PAY_VOID_CODE"] { settings.voidCode = code }
                kinds.append(CutoffJob.Kind(renderer: PositivePayFileRenderer(settings: settings), destination: try target(url)))
            case .decisions:
                let url = try value(decisionsDestination, "METL_DECISIONS_DESTINATION")
                    ?? required(destination, "METL_DESTINATION", "--decisions-destination or --destination")
                let filenames = value(decisionsFilenameTemplate, "METL_DECISIONS_FILENAME_TEMPLATE").map(FilenameTemplate.init) ?? .defaultDecisions
                kinds.append(CutoffJob.Kind(renderer: DecisionFileRenderer(filenames: filenames), destination: try target(url)))
            }
        }
        for index in kinds.indices { kinds[index].sealing = sealing }
        return CutoffJob.Settings(kinds: kinds, archive: Archive(root: archive), window: windowDuration)
    }
}
