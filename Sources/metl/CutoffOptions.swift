import ArgumentParser
import MetlConfiguration
import Payments
import Pipeline

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
    @Option(help: "Send only this kind (default: every kind that has something due).") var kind: CutoffKind?
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

    var flags: CutoffFlags {
        var flags = CutoffFlags()
        (flags.destination, flags.identityFile, flags.knownHosts) = (destination, identityFile, knownHosts)
        (flags.odfiRouting, flags.immediateDestination, flags.immediateOrigin) = (odfiRouting, immediateDestination, immediateOrigin)
        (flags.originName, flags.destinationName, flags.window) = (originName, destinationName, window)
        (flags.maxEntries, flags.maxAmount, flags.filenameTemplate) = (maxEntries, maxAmount, filenameTemplate)
        (flags.archiveDir, flags.lineEnding, flags.kind, flags.profile) = (archiveDir, lineEnding, kind, profile)
        (flags.positivePayDestination, flags.positivePayFilenameTemplate) = (positivePayDestination, positivePayFilenameTemplate)
        (flags.decisionsDestination, flags.decisionsFilenameTemplate) = (decisionsDestination, decisionsFilenameTemplate)
        flags.sealing = sealing.flags
        return flags
    }

    /// The cutoffs to run on the database `store` names, logging to standard error, each bank
    /// profile's under its own lock. The configuration is checked whole before the database is opened.
    /// `access` is the database's: a job that only reads (a dry run, a verification) never creates one.
    func jobs(_ store: StoreOptions, json: Bool, sending: Bool = true,
              access: Settings.DatabaseAccess? = nil) async throws -> (store: any LedgerStore, jobs: [CutoffJob], settings: Settings) {
        let logger = Log.make("metl.cutoff", json: json)
        let settings = try store.settings()
        let cutoffs = try settings.cutoffs(flags, sending: sending, layers: .process, logger: logger)
        let database = try await settings.openStore(access ?? (sending ? .writing : .reading))
        if settings.fixedClock != nil {
            logger.warning("METL_CLOCK is set: files are dated \(Layers.process.environment["METL_CLOCK"] ?? ""), not now")
        }
        return (database, cutoffs.map { CutoffJob(settings: $0, store: database, logger: logger, now: settings.clock) }, settings)
    }
}

extension CutoffKind: ExpressibleByArgument {}
