import ArgumentParser
import Foundation
import Payments
import Logging
import NACHA
import Pipeline
import SQLiteStore

/// The cutoff's settings as flags, each with a `METL_` environment variable, so a timer unit needs no config file.
struct CutoffOptions: ParsableArguments {
    @Option(help: "file:///DIR or sftp://USER@HOST:PORT/DIR ($METL_DESTINATION; required unless --dry-run or a bank profile sets it).") var destination: String?
    @Option(help: "Private key for SFTP ($METL_IDENTITY_FILE; passphrase in $METL_IDENTITY_PASSPHRASE; or a password in $METL_SFTP_PASSWORD).")
    var identityFile: String?
    @Option(help: "known_hosts file; host keys are always verified ($METL_KNOWN_HOSTS).") var knownHosts: String?
    @Option(help: "Our bank's 9-digit routing number ($METL_ODFI_ROUTING; required unless a bank profile sets it).") var odfiRouting: String?
    @Option(help: "File header immediate destination ($METL_IMMEDIATE_DESTINATION; required unless a bank profile sets it).") var immediateDestination: String?
    @Option(help: "File header immediate origin; default the ODFI routing ($METL_IMMEDIATE_ORIGIN).") var immediateOrigin: String?
    @Option(help: "File header origin name ($METL_ORIGIN_NAME; required unless a bank profile sets it).") var originName: String?
    @Option(help: "File header destination name ($METL_DESTINATION_NAME; required unless a bank profile sets it).") var destinationName: String?
    @Option(help: "Time window from the job's start, e.g. 15m, 90s ($METL_CUTOFF_WINDOW, cutoff_window; default 15m).") var window: String?
    @Option(help: "At most this many entries per file ($METL_MAX_FILE_ENTRIES; default \(FileAssembler.Limits().maximumEntriesPerFile)).")
    var maxEntries: Int?
    @Option(help: "At most this many cents (debits + credits) per file ($METL_MAX_FILE_CENTS; default \(FileAssembler.Limits().maximumAmountPerFile), the file control's 12-digit field).")
    var maxAmount: Int64?
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

    @Option(help: "Only this bank profile of the configuration file (default: every profile, each under its own lock).")
    var profile: String?

    /// The cutoffs to run on the database `store` names, logging to standard error: one per bank
    /// profile of the configuration file (or `--profile`'s alone), or the single profile the flags
    /// and `METL_*` variables describe when the file names none.
    /// `sending: false` (a dry run) needs no destination: it renders and sends nothing.
    func jobs(_ store: StoreOptions, json: Bool, sending: Bool = true) async throws -> (store: any LedgerStore, jobs: [CutoffJob]) {
        let logger = Log.make("metl.cutoff", json: json)
        // The configuration is checked whole before the database is opened.
        let settings = try store.settings()
        let profiles = try selectedProfiles(settings)
        let jobSettings = try profiles.map { try self.settings(settings, profile: $0, sending: sending, logger: logger) }.filter { !$0.kinds.isEmpty }
        guard !jobSettings.isEmpty else {
            throw ConfigurationError(message: "bank profile \(profile ?? "") sends NACHA files only; Positive Pay and decision files "
                                     + "go through the default profile, \(settings.defaultProfile)", isUsage: true)
        }
        let database = try await settings.openStore(sending ? .writing : .reading)
        if settings.fixedClock != nil {
            logger.warning("METL_CLOCK is set: files are dated \(ProcessInfo.processInfo.environment["METL_CLOCK"] ?? ""), not now")
        }
        return (database, jobSettings.map { CutoffJob(settings: $0, store: database, logger: logger, now: settings.clock) })
    }

    /// `--profile`'s profile, else every configured one; `[nil]`: the single profile of flags and variables.
    private func selectedProfiles(_ settings: Settings) throws -> [ProfileConfiguration?] {
        guard !settings.profiles.isEmpty else {
            if let profile { throw ConfigurationError(message: "--profile \(profile): the configuration names no bank profiles", isUsage: true) }
            return [nil]
        }
        guard let profile else {
            if settings.profiles.count > 1, let override = overrides.first(where: { value($0.flag, $0.variable) != nil }) {
                throw ConfigurationError(message: "\(override.option) (or $\(override.variable)) would apply to every one of "
                                         + "\(settings.profiles.count) bank profiles: name one with --profile", isUsage: true)
            }
            return settings.profiles
        }
        guard let named = settings.profiles.first(where: { $0.name == profile }) else {
            throw ConfigurationError(message: "--profile \(profile) is not one of \(settings.profiles.map(\.name).joined(separator: ", "))",
                                     isUsage: true)
        }
        return [named]
    }

    /// The settings of one bank profile, which flags and variables override value by value.
    private var overrides: [(flag: String?, variable: String, option: String)] {
        [(destination, "METL_DESTINATION", "--destination"), (identityFile, "METL_IDENTITY_FILE", "--identity-file"),
         (nil, "METL_IDENTITY_PASSPHRASE", "METL_IDENTITY_PASSPHRASE"), (nil, "METL_SFTP_PASSWORD", "METL_SFTP_PASSWORD"),
         (knownHosts, "METL_KNOWN_HOSTS", "--known-hosts"), (odfiRouting, "METL_ODFI_ROUTING", "--odfi-routing"),
         (immediateDestination, "METL_IMMEDIATE_DESTINATION", "--immediate-destination"),
         (immediateOrigin, "METL_IMMEDIATE_ORIGIN", "--immediate-origin"), (originName, "METL_ORIGIN_NAME", "--origin-name"),
         (destinationName, "METL_DESTINATION_NAME", "--destination-name"), (maxEntries.map(String.init), "METL_MAX_FILE_ENTRIES", "--max-entries"),
         (maxAmount.map(String.init), "METL_MAX_FILE_CENTS", "--max-amount"), (filenameTemplate, "METL_FILENAME_TEMPLATE", "--filename-template"),
         (lineEnding, "METL_LINE_ENDING", "--line-ending")]
    }

    /// The kinds a cutoff sends: `--kind`, else all of them.
    enum SentKind: String, CaseIterable {
        case ach
        case positivePay = "positive-pay"
        case decisions
    }

    /// One profile's cutoff: each value from its flag, else its variable, else the profile (nil:
    /// none), else the default. Positive Pay and decision files go through the default profile only.
    func settings(_ settings: Settings, profile: ProfileConfiguration?, sending: Bool, logger: Logger) throws -> CutoffJob.Settings {
        let environment = ProcessInfo.processInfo.environment
        var sent = SentKind.allCases
        if let kind {
            guard let parsed = SentKind(rawValue: kind) else {
                throw ConfigurationError(message: "--kind must be one of \(SentKind.allCases.map(\.rawValue).joined(separator: ", "))",
                                         isUsage: true)
            }
            sent = [parsed]
        }
        if let profile, profile.name != settings.defaultProfile { sent.removeAll { $0 != .ach } }
        // Every missing setting at once, not one a run.
        if profile == nil, sent.contains(.ach) {
            let needed = [(odfiRouting, "METL_ODFI_ROUTING", "--odfi-routing"),
                          (immediateDestination, "METL_IMMEDIATE_DESTINATION", "--immediate-destination"),
                          (originName, "METL_ORIGIN_NAME", "--origin-name"), (destinationName, "METL_DESTINATION_NAME", "--destination-name")]
                + (sending ? [(destination, "METL_DESTINATION", "--destination")] : [])
            let missing = needed.filter { value($0.0, $0.1) == nil }.map { "\($0.2) (or $\($0.1))" }
            if !missing.isEmpty {
                throw ConfigurationError(message: missing.count == 1 ? "\(missing[0]) is required" : "required: " + missing.joined(separator: ", "))
            }
        }
        let configured = try profile?.sftpSettings() ?? .init()
        let flagged = DestinationURL.SFTPSettings.resolved(identityFile: identityFile, knownHosts: knownHosts, environment: environment)
        let sftp = DestinationURL.SFTPSettings(identityFile: flagged.identityFile ?? configured.identityFile,
                                               identityPassphrase: flagged.identityPassphrase ?? configured.identityPassphrase,
                                               password: flagged.password ?? configured.password, knownHosts: flagged.knownHosts ?? configured.knownHosts)
        func target(_ url: String) throws -> any Destination {
            do {
                return try DestinationURL.parse(url, sftp: sftp, logger: logger)
            } catch {
                let hint = url.lowercased().hasPrefix("sftp:") ? DestinationURL.SFTPSettings.hint : ""
                throw ConfigurationError(message: error.message + hint)
            }
        }
        func setting(_ flag: String?, _ variable: String, _ configured: String?) -> String? { value(flag, variable) ?? configured }
        var windowDuration = settings.cutoffWindow
        if let window {
            guard let parsed = Duration(parsing: window), parsed > .zero else {
                throw ConfigurationError(message: "window \(window) is not a duration like 15m, 90s or 1h")
            }
            windowDuration = parsed
            // The profile's windows were checked against the configured delivery; check them against this one.
            if let schedule = profile?.schedule {
                do {
                    _ = try CutoffSchedule(windows: schedule.windows, timeZone: schedule.timeZone, calendar: schedule.calendar,
                                           sameDayDescriptiveDate: schedule.sameDayDescriptiveDate, delivery: parsed)
                } catch {
                    throw ConfigurationError(message: "--window \(window): profile \(profile?.name ?? ""): \(error.message)")
                }
            }
        }
        var limits = profile?.limits ?? FileAssembler.Limits()
        if let entries = maxEntries ?? value(nil, "METL_MAX_FILE_ENTRIES").flatMap(Int.init) { limits.maximumEntriesPerFile = entries }
        if let amount = maxAmount ?? value(nil, "METL_MAX_FILE_CENTS").flatMap(Int64.init) { limits.maximumAmountPerFile = amount }
        guard limits.maximumEntriesPerFile > 0, limits.maximumAmountPerFile > 0 else {
            throw ConfigurationError(message: "file limits must be positive")
        }
        var parsedEnding = profile?.lineEnding ?? .lf
        if let ending = value(lineEnding, "METL_LINE_ENDING") {
            guard let parsed = Writer.LineEnding(rawValue: ending.lowercased()) else { throw ConfigurationError(message: "line ending must be lf or crlf") }
            parsedEnding = parsed
        }
        let archive = try archiveDirectory(archiveDir, database: settings.database)
        let sealing = try self.sealing.sealing(database: settings.database, profile: profile?.openpgp)
        let destinations = profile?.destinations ?? [:]
        let filenames = profile?.filenames ?? [:]
        func delivery(of kind: OutboundFileKind, _ flag: String?, _ variable: String, _ option: String) throws -> any Destination {
            guard sending else { return DryRunDestination() }
            // Each kind's own, else the NACHA destination: the flag's or the profile's.
            let url = try value(flag, variable) ?? destinations[kind] ?? value(destination, "METL_DESTINATION") ?? destinations[.nacha]
                ?? required(nil, "METL_DESTINATION", option)
            return try target(url)
        }
        func filename(of kind: OutboundFileKind, _ flag: String?, _ variable: String, _ fallback: FilenameTemplate) -> FilenameTemplate {
            value(flag, variable).map(FilenameTemplate.init) ?? filenames[kind] ?? fallback
        }
        var kinds: [CutoffJob.Kind] = []
        for kind in sent {
            switch kind {
            case .ach:
                let bank: BankProfile
                do {
                    bank = try BankProfile(
                        odfiRouting: try setting(odfiRouting, "METL_ODFI_ROUTING", profile?.bank.odfiRouting)
                            ?? required(nil, "METL_ODFI_ROUTING", "--odfi-routing"),
                        immediateDestination: try setting(immediateDestination, "METL_IMMEDIATE_DESTINATION", profile?.bank.immediateDestination)
                            ?? required(nil, "METL_IMMEDIATE_DESTINATION", "--immediate-destination"),
                        immediateOrigin: setting(immediateOrigin, "METL_IMMEDIATE_ORIGIN", profile?.bank.immediateOrigin),
                        originName: try setting(originName, "METL_ORIGIN_NAME", profile?.bank.originName) ?? required(nil, "METL_ORIGIN_NAME", "--origin-name"),
                        destinationName: try setting(destinationName, "METL_DESTINATION_NAME", profile?.bank.destinationName)
                            ?? required(nil, "METL_DESTINATION_NAME", "--destination-name"))
                } catch let error as PipelineError {
                    throw ConfigurationError(message: error.message)
                }
                let renderer = NACHAFileRenderer(
                    profile: bank, limits: limits, filenames: filename(of: .nacha, filenameTemplate, "METL_FILENAME_TEMPLATE", .defaultNACHA),
                    lineEnding: parsedEnding, profileName: profile?.name ?? ProfileRouting.single, routing: settings.routing,
                    schedule: profile?.schedule ?? .nextDayOnly)
                kinds.append(CutoffJob.Kind(renderer: renderer, destination: try delivery(of: .nacha, nil, "METL_DESTINATION", "--destination")))
            case .positivePay:
                var renderer = PositivePayFileRenderer.Settings()
                renderer.filenames = filename(of: .positivePay, positivePayFilenameTemplate, "METL_POSITIVE_PAY_FILENAME_TEMPLATE", .defaultPositivePay)
                if let bank = environment["METL_POSITIVE_PAY_BANK_NUMBER"] { renderer.bankNumber = bank }
                if let code = environment["METL_POSITIVE_PAY_ISSUE_CODE"] { renderer.issueCode = code }
                if let code = environment["METL_POSITIVE_PAY_VOID_CODE"] { renderer.voidCode = code }
                kinds.append(CutoffJob.Kind(renderer: PositivePayFileRenderer(settings: renderer), destination: try delivery(
                    of: .positivePay, positivePayDestination, "METL_POSITIVE_PAY_DESTINATION", "--positive-pay-destination or --destination")))
            case .decisions:
                kinds.append(CutoffJob.Kind(
                    renderer: DecisionFileRenderer(filenames: filename(of: .decisions, decisionsFilenameTemplate, "METL_DECISIONS_FILENAME_TEMPLATE",
                                                                       .defaultDecisions)),
                    destination: try delivery(of: .decisions, decisionsDestination, "METL_DECISIONS_DESTINATION",
                                                 "--decisions-destination or --destination")))
            }
        }
        for index in kinds.indices { kinds[index].sealing = sealing }
        return CutoffJob.Settings(kinds: kinds, archive: Archive(root: archive), window: windowDuration, profile: profile?.name)
    }
}
