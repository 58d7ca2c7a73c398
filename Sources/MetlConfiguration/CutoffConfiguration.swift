import Foundation
import Logging
import NACHA
import Payments
import Pipeline

/// The kinds of file a cutoff sends.
public enum CutoffKind: String, CaseIterable, Sendable {
    case ach
    case positivePay = "positive-pay"
    case decisions
}

/// The cutoff's flags (nil: not given), each with a `METL_*` variable, so a timer unit needs no
/// configuration file.
public struct CutoffFlags: Sendable {
    public var destination: String?
    public var identityFile: String?
    public var knownHosts: String?
    public var odfiRouting: String?
    public var immediateDestination: String?
    public var immediateOrigin: String?
    public var originName: String?
    public var destinationName: String?
    public var window: String?
    public var maxEntries: Int?
    public var maxAmount: Int64?
    public var filenameTemplate: String?
    public var archiveDir: String?
    public var lineEnding: String?
    /// Only this kind; nil: every kind.
    public var kind: CutoffKind?
    public var positivePayDestination: String?
    public var positivePayFilenameTemplate: String?
    public var decisionsDestination: String?
    public var decisionsFilenameTemplate: String?
    public var sealing = SealingFlags()
    /// Only this bank profile of the configuration file; nil: every one.
    public var profile: String?

    public init() {}

    /// The settings of one bank profile, which flags and variables override value by value.
    var overrides: [(flag: String?, variable: String, option: String)] {
        [(destination, "METL_DESTINATION", "--destination"), (identityFile, "METL_IDENTITY_FILE", "--identity-file"),
         (nil, "METL_IDENTITY_PASSPHRASE", "METL_IDENTITY_PASSPHRASE"), (nil, "METL_SFTP_PASSWORD", "METL_SFTP_PASSWORD"),
         (knownHosts, "METL_KNOWN_HOSTS", "--known-hosts"), (odfiRouting, "METL_ODFI_ROUTING", "--odfi-routing"),
         (immediateDestination, "METL_IMMEDIATE_DESTINATION", "--immediate-destination"),
         (immediateOrigin, "METL_IMMEDIATE_ORIGIN", "--immediate-origin"), (originName, "METL_ORIGIN_NAME", "--origin-name"),
         (destinationName, "METL_DESTINATION_NAME", "--destination-name"), (maxEntries.map(String.init), "METL_MAX_FILE_ENTRIES", "--max-entries"),
         (maxAmount.map(String.init), "METL_MAX_FILE_CENTS", "--max-amount"), (filenameTemplate, "METL_FILENAME_TEMPLATE", "--filename-template"),
         (lineEnding, "METL_LINE_ENDING", "--line-ending")]
    }
}

extension Settings {
    /// The cutoffs to run: one per bank profile of the configuration file (or the flags' profile
    /// alone), or the single profile the flags and `METL_*` variables describe when the file names
    /// none. Each value comes from its flag, else its variable, else the profile, else the default.
    /// Every problem is thrown at once. `sending: false` (a dry run) needs no destination.
    public func cutoffs(_ flags: CutoffFlags, sending: Bool, layers: Layers, logger: Logger) throws -> [CutoffJob.Settings] {
        let profiles = try selectedProfiles(flags, layers: layers)
        var problems = ProblemList()
        let cutoffs = profiles.compactMap { profile in
            problems.collect { try cutoff(flags, profile: profile, sending: sending, layers: layers, logger: logger) }
        }
        try problems.check()
        let sending = cutoffs.filter { !$0.kinds.isEmpty }
        guard !sending.isEmpty else {
            throw ConfigurationError(.conflict, "bank profile \(flags.profile ?? "") sends NACHA files only; Positive Pay and decision files "
                                     + "go through the default profile, \(defaultProfile)", isUsage: true)
        }
        return sending
    }

    /// The flags' profile, else every configured one; `[nil]`: the single profile of flags and variables.
    private func selectedProfiles(_ flags: CutoffFlags, layers: Layers) throws(ConfigurationError) -> [ProfileConfiguration?] {
        guard !profiles.isEmpty else {
            if let profile = flags.profile {
                throw ConfigurationError(.unknownProfile, "--profile \(profile): the configuration names no bank profiles", isUsage: true)
            }
            return [nil]
        }
        guard let name = flags.profile else {
            if profiles.count > 1, let override = flags.overrides.first(where: { layers.value($0.flag, $0.variable) != nil }) {
                throw ConfigurationError(.conflict, "\(override.option) (or $\(override.variable)) would apply to every one of "
                                         + "\(profiles.count) bank profiles: name one with --profile", isUsage: true)
            }
            return profiles
        }
        guard let named = profiles.first(where: { $0.name == name }) else {
            throw ConfigurationError(.unknownProfile, "--profile \(name) is not one of \(profiles.map(\.name).joined(separator: ", "))", isUsage: true)
        }
        return [named]
    }

    /// One profile's cutoff. Positive Pay and decision files go through the default profile only.
    private func cutoff(_ flags: CutoffFlags, profile: ProfileConfiguration?, sending: Bool, layers: Layers,
                        logger: Logger) throws -> CutoffJob.Settings {
        var problems = ProblemList()
        var sent = flags.kind.map { [$0] } ?? CutoffKind.allCases
        if let profile, profile.name != defaultProfile { sent.removeAll { $0 != .ach } }
        func setting(_ flag: String?, _ variable: String, _ option: String, profile configured: String?, required: Bool = true) -> String? {
            if let value = layers.value(flag, variable) ?? configured { return value }
            if required { problems.add(.missingValue, "\(option) (or $\(variable)) is required") }
            return nil
        }
        let configured = problems.collect { try profile?.sftpSettings() ?? .init() } ?? .init()
        let flagged = layers.sftpLogin(identityFile: flags.identityFile, knownHosts: flags.knownHosts)
        let login = DestinationURL.SFTPSettings(identityFile: flagged.identityFile ?? configured.identityFile,
                                                identityPassphrase: flagged.identityPassphrase ?? configured.identityPassphrase,
                                                password: flagged.password ?? configured.password, knownHosts: flagged.knownHosts ?? configured.knownHosts)
        var window = cutoffWindow
        if let text = flags.window {
            guard let parsed = Duration(parsing: text), parsed > .zero else {
                throw ConfigurationError(.invalidValue, "--window \(text) is not a duration like 15m, 90s or 1h", isUsage: true)
            }
            window = parsed
            // The profile's windows were checked against the configured delivery; check them against this one.
            if let schedule = profile?.schedule {
                do {
                    _ = try CutoffSchedule(windows: schedule.windows, timeZone: schedule.timeZone, calendar: schedule.calendar,
                                           sameDayDescriptiveDate: schedule.sameDayDescriptiveDate, delivery: parsed)
                } catch {
                    problems.add(.invalidValue, "--window \(text): profile \(profile?.name ?? ""): \(error.message)")
                }
            }
        }
        var limits = profile?.limits ?? FileAssembler.Limits()
        if let entries = problems.collect({ try layers.positive(flags.maxEntries, "METL_MAX_FILE_ENTRIES", "--max-entries") }), let entries {
            limits.maximumEntriesPerFile = entries
        }
        if let amount = problems.collect({ try layers.positive(flags.maxAmount, "METL_MAX_FILE_CENTS", "--max-amount") }), let amount {
            limits.maximumAmountPerFile = amount
        }
        var lineEnding = profile?.lineEnding ?? .lf
        if let text = layers.value(flags.lineEnding, "METL_LINE_ENDING") {
            if let named = Writer.LineEnding(named: text) { lineEnding = named } else {
                problems.add(.invalidValue, "--line-ending (or $METL_LINE_ENDING) must be lf or crlf, not \(text)")
            }
        }
        let archive = problems.collect { try archiveDirectory(flags.archiveDir, layers: layers) }
        let sealing = problems.collect { try self.sealing(flags.sealing, profile: profile?.openpgp, layers: layers, logger: logger) } ?? nil
        let destinations = profile?.destinations ?? [:]
        let filenames = profile?.filenames ?? [:]
        var destinationMissing = false
        /// Each kind's own destination, else the NACHA destination: the flag's or the profile's.
        func delivery(of kind: OutboundFileKind, _ flag: String?, _ variable: String, _ option: String) -> (any Destination)? {
            guard sending else { return DryRunDestination() }
            guard let url = layers.value(flag, variable) ?? destinations[kind] ?? layers.value(flags.destination, "METL_DESTINATION")
                ?? destinations[.nacha] else {
                // One missing destination is one problem, however many kinds would go there.
                if !destinationMissing { problems.add(.missingValue, "\(option) (or $METL_DESTINATION) is required") }
                destinationMissing = true
                return nil
            }
            do {
                return try DestinationURL.parse(url, sftp: login, logger: logger)
            } catch {
                problems.add(.invalidValue, error.message + (url.lowercased().hasPrefix("sftp:") ? Layers.sftpHint : ""))
                return nil
            }
        }
        func filename(of kind: OutboundFileKind, _ flag: String?, _ variable: String, _ fallback: FilenameTemplate) -> FilenameTemplate {
            layers.value(flag, variable).map(FilenameTemplate.init) ?? filenames[kind] ?? fallback
        }
        var kinds: [CutoffJob.Kind] = []
        for kind in sent {
            switch kind {
            case .ach:
                let bank = profile?.bank
                let odfi = setting(flags.odfiRouting, "METL_ODFI_ROUTING", "--odfi-routing", profile: bank?.odfiRouting)
                let immediateDestination = setting(flags.immediateDestination, "METL_IMMEDIATE_DESTINATION", "--immediate-destination",
                                                   profile: bank?.immediateDestination)
                let immediateOrigin = setting(flags.immediateOrigin, "METL_IMMEDIATE_ORIGIN", "--immediate-origin", profile: bank?.immediateOrigin,
                                              required: false)
                let originName = setting(flags.originName, "METL_ORIGIN_NAME", "--origin-name", profile: bank?.originName)
                let destinationName = setting(flags.destinationName, "METL_DESTINATION_NAME", "--destination-name", profile: bank?.destinationName)
                let destination = delivery(of: .nacha, nil, "METL_DESTINATION", "--destination")
                guard let odfi, let immediateDestination, let originName, let destinationName else { continue }
                do {
                    let bank = try BankProfile(odfiRouting: odfi, immediateDestination: immediateDestination, immediateOrigin: immediateOrigin,
                                               originName: originName, destinationName: destinationName)
                    guard let destination else { continue }
                    let renderer = NACHAFileRenderer(
                        profile: bank, limits: limits, filenames: filename(of: .nacha, flags.filenameTemplate, "METL_FILENAME_TEMPLATE", .defaultNACHA),
                        lineEnding: lineEnding, profileName: profile?.name ?? ProfileRouting.single, routing: routing,
                        schedule: profile?.schedule ?? .nextDayOnly)
                    kinds.append(CutoffJob.Kind(renderer: renderer, destination: destination, sealing: sealing))
                } catch {
                    problems.add(.invalidValue, error.message)
                }
            case .positivePay:
                var renderer = PositivePayFileRenderer.Settings(timeZone: (profile?.schedule ?? .nextDayOnly).timeZone)
                renderer.filenames = filename(of: .positivePay, flags.positivePayFilenameTemplate, "METL_POSITIVE_PAY_FILENAME_TEMPLATE",
                                              .defaultPositivePay)
                if let bank = layers.value(nil, "METL_POSITIVE_PAY_BANK_NUMBER") { renderer.bankNumber = bank }
                if let code = layers.value(nil, "METL_POSITIVE_PAY_ISSUE_CODE") { renderer.issueCode = code }
                if let code = layers.value(nil, "METL_POSITIVE_PAY_VOID_CODE") { renderer.voidCode = code }
                if let destination = delivery(of: .positivePay, flags.positivePayDestination, "METL_POSITIVE_PAY_DESTINATION",
                                              "--positive-pay-destination or --destination") {
                    kinds.append(CutoffJob.Kind(renderer: PositivePayFileRenderer(settings: renderer), destination: destination, sealing: sealing))
                }
            case .decisions:
                if let destination = delivery(of: .decisions, flags.decisionsDestination, "METL_DECISIONS_DESTINATION",
                                              "--decisions-destination or --destination") {
                    let filenames = filename(of: .decisions, flags.decisionsFilenameTemplate, "METL_DECISIONS_FILENAME_TEMPLATE", .defaultDecisions)
                    kinds.append(CutoffJob.Kind(renderer: DecisionFileRenderer(filenames: filenames, timeZone: (profile?.schedule ?? .nextDayOnly).timeZone), destination: destination, sealing: sealing))
                }
            }
        }
        try problems.check()
        return CutoffJob.Settings(kinds: kinds, archive: Archive(root: archive ?? ""), window: window, profile: profile?.name,
                                  approval: profile.flatMap { profile in
                                      profile.approvals.files.map { CutoffJob.FileApproval(rule: $0, schedule: profile.schedule) }
                                  })
    }
}
