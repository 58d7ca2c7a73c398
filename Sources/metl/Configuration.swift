import ArgumentParser
import Foundation
import NACHA
import Payments
import Pipeline
import PostgresStore
import SQLiteStore

/// Settings from, in increasing priority: built-in defaults, a JSON config file (`--config` or
/// `METL_CONFIG`), `METL_*` environment variables, command-line flags. No file is needed.
struct Settings {
    var database = "metl.sqlite"
    var maximumPaymentCents = PaymentRules.defaultMaximumAmount
    var effectiveDateHorizonDays = PaymentRules.defaultEffectiveDateHorizonDays
    var maximumCheckCents = CheckRules.defaultMaximumAmount
    var checkStaleDays = CheckRules().staleDays
    /// `METL_CLOCK`: a fixed local time for reproducible demos and fixtures; never set in production.
    var fixedClock: Date?

    var sameDayMaximumCents = PaymentRules.defaultSameDayMaximumAmount
    /// The cutoff's delivery window, which every profile's cutoff windows must fit.
    var cutoffWindow: Duration = .seconds(900)
    /// The configuration file's bank profiles, in name order; empty: the single profile of flags and `METL_*` variables.
    var profiles: [ProfileConfiguration] = []
    /// The profile of merchants no profile names.
    var defaultProfile = ProfileRouting.single

    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var settings = Settings()
        if let text = environment["METL_CUTOFF_WINDOW"], !text.isEmpty {
            guard let window = Duration(parsing: text), window > .zero else {
                throw ConfigurationError(message: "METL_CUTOFF_WINDOW \(text) is not a duration like 15m, 90s or 1h")
            }
            settings.cutoffWindow = window
        }
        if let path = configPath ?? environment["METL_CONFIG"] { try settings.read(file: path, windowFromEnvironment: environment["METL_CUTOFF_WINDOW"] != nil) }
        if let database = environment["METL_DATABASE"], !database.isEmpty { settings.database = database }
        if let maximum = environment["METL_MAX_PAYMENT_CENTS"] {
            guard let cents = Int64(maximum), cents > 0 else {
                throw ConfigurationError(message: "METL_MAX_PAYMENT_CENTS must be a positive integer")
            }
            settings.maximumPaymentCents = cents
        }
        if let maximum = environment["METL_SAME_DAY_MAX_PAYMENT_CENTS"] {
            guard let cents = Int64(maximum), cents > 0 else {
                throw ConfigurationError(message: "METL_SAME_DAY_MAX_PAYMENT_CENTS must be a positive integer")
            }
            settings.sameDayMaximumCents = cents
        }
        if let maximum = environment["METL_MAX_CHECK_CENTS"] {
            guard let cents = Int64(maximum), cents > 0 else {
                throw ConfigurationError(message: "METL_MAX_CHECK_CENTS must be a positive integer")
            }
            settings.maximumCheckCents = cents
        }
        if let days = environment["METL_CHECK_STALE_DAYS"] {
            guard let stale = Int(days), stale > 0 else { throw ConfigurationError(message: "METL_CHECK_STALE_DAYS must be a positive integer") }
            settings.checkStaleDays = stale
        }
        if let horizon = environment["METL_EFFECTIVE_DATE_HORIZON_DAYS"] { settings.effectiveDateHorizonDays = Int(horizon) ?? -1 }
        if let clock = environment["METL_CLOCK"], !clock.isEmpty {
            guard let fixed = Settings.localTime(clock) else {
                throw ConfigurationError(message: "METL_CLOCK must be a local time YYYY-MM-DDTHH:MM")
            }
            settings.fixedClock = fixed
        }
        guard (0...PaymentRules.maximumEffectiveDateHorizonDays).contains(settings.effectiveDateHorizonDays) else {
            throw ConfigurationError(message: "the effective date horizon (METL_EFFECTIVE_DATE_HORIZON_DAYS or "
                                     + "effective_date_horizon_days) must be 0 to \(PaymentRules.maximumEffectiveDateHorizonDays) days")
        }
        return settings
    }

    /// The time jobs and intake work at: now, or `METL_CLOCK`.
    var clock: @Sendable () -> Date {
        guard let fixed = fixedClock else { return { Date() } }
        return { fixed }
    }

    /// The bank's calendar day that effective dates are measured from.
    var today: ACHDate { ACHDate(clock()) }

    static func localTime(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 5 else { return nil }
        return Calendar.current.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    var rules: PaymentRules {
        PaymentRules(maximumAmount: maximumPaymentCents, effectiveDateHorizonDays: effectiveDateHorizonDays,
                     sameDayMaximumAmount: sameDayMaximumCents, profiles: Set(profiles.map(\.name)))
    }

    /// Which profile sends each payment, as the profiles' `merchants` lists say.
    var routing: ProfileRouting {
        var merchants: [String: String] = [:]
        for profile in profiles { for merchant in profile.merchants { merchants[merchant] = profile.name } }
        return ProfileRouting(defaultProfile: defaultProfile, merchants: merchants)
    }

    /// Reads the JSON configuration file, reporting every problem in it at once, each at its key.
    private mutating func read(file: String, windowFromEnvironment: Bool) throws {
        let root = try ConfigurationTable.load(file: file)
        if let database = root.string("database") { self.database = database }
        func positive(_ key: String) -> Int64? {
            guard let value = root.integer(key) else { return nil }
            guard value > 0 else { root.fail(key, "must be positive"); return nil }
            return value
        }
        if let maximum = positive("max_payment_cents") { maximumPaymentCents = maximum }
        if let maximum = positive("same_day_max_payment_cents") { sameDayMaximumCents = maximum }
        if let days = root.integer("effective_date_horizon_days") { effectiveDateHorizonDays = Int(clamping: days) }
        if let text = root.string("cutoff_window") {
            if let window = Duration(parsing: text), window > .zero {
                if !windowFromEnvironment { cutoffWindow = window }
            } else {
                root.fail("cutoff_window", "\(text) is not a duration like 15m, 90s or 1h")
            }
        }
        let named = root.string("default_profile")
        let members = root.tables("profiles")
        profiles = members.compactMap { ProfileConfiguration.read($0.name, $0.table, delivery: cutoffWindow) }
        let names = members.map(\.name)
        if let named {
            if names.contains(named) { defaultProfile = named } else { root.fail("default_profile", "\(named) is not one of the profiles") }
        } else if names.count == 1 {
            defaultProfile = names[0]
        } else if names.count > 1 {
            root.fail("default_profile", "missing: several profiles are configured")
        }
        var owners: [String: String] = [:]
        for profile in profiles {
            for merchant in profile.merchants {
                if let other = owners[merchant] { root.fail("profiles.\(profile.name).merchants", "\(merchant) is already in profile \(other)") }
                owners[merchant] = profile.name
            }
            if profile.name != defaultProfile, !Set(profile.destinations.keys).isSubset(of: [.nacha]) {
                root.fail("profiles.\(profile.name).destinations", "only the default profile (\(defaultProfile)) sends Positive Pay and decision files")
            }
        }
        // A file's origin and destination say which profile resumes or retries it.
        for (index, profile) in profiles.enumerated() {
            for other in profiles[..<index] where other.bank.immediateOrigin == profile.bank.immediateOrigin
                && other.bank.immediateDestination == profile.bank.immediateDestination {
                root.fail("profiles.\(profile.name).odfi", "the same immediate origin and destination as profile \(other.name)")
            }
        }
        root.finish()
        try root.check(file: file)
    }

    var checkRules: CheckRules { CheckRules(maximumAmount: maximumCheckCents, staleDays: checkStaleDays) }

    /// The database as it may be shown: a PostgreSQL URL without its password.
    var databaseDescription: String {
        guard PostgresLocation.isURL(database) else { return database }
        return (try? PostgresLocation(url: database).description) ?? "a PostgreSQL database"
    }

    /// Opens the store `database` names: a `postgres://` URL (its password from the URL, else
    /// `PGPASSWORD`, else the file `METL_DATABASE_PASSWORD_FILE` names) or a SQLite file.
    enum DatabaseAccess {
        /// Shows what is stored: a SQLite file that is not there is refused, never created empty.
        case reading
        /// Records something: a new SQLite file is created, and the user told once.
        case writing
    }

    func openStore(_ access: DatabaseAccess = .writing, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> any LedgerStore {
        guard PostgresLocation.isURL(database) else {
            guard FileManager.default.fileExists(atPath: database) else {
                guard access == .writing else {
                    throw ConfigurationError(message: "no database at \(database); pass --database or set METL_DATABASE")
                }
                let store = try SQLiteStore(path: database)
                Log.make("metl.store", json: false).notice("created the database", metadata: ["path": "\(database)"])
                return store
            }
            return try SQLiteStore(path: database)
        }
        var password = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if password == nil, let file = environment["METL_DATABASE_PASSWORD_FILE"], !file.isEmpty {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(message: "cannot read the database password file \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: database, password: password)
        } catch {
            throw ConfigurationError(message: "--database: \(error)", isUsage: true)
        }
        return try await PostgresStore.connect(location, logger: Log.make("metl.store", json: false))
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    var message: String
    var isUsage = false
    var description: String { message }
}

/// Flag-or-environment settings: the flag when given, else the `METL_*` variable, else nil.
extension ParsableArguments {
    func value(_ flag: String?, _ variable: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        return nil
    }

    /// The one rule for the archive: `--archive-dir`, else `METL_ARCHIVE_DIR`, else `archive/` beside a
    /// SQLite database. A PostgreSQL database has no directory of its own, and every instance must
    /// read the same archive (resume, retry, audit), so it needs the directory named: a shared one.
    func archiveDirectory(_ flag: String?, database: String) throws -> String {
        if let named = value(flag, "METL_ARCHIVE_DIR") { return named }
        guard !PostgresLocation.isURL(database) else {
            throw ConfigurationError(message: "a PostgreSQL database needs --archive-dir (or $METL_ARCHIVE_DIR): "
                                     + "a directory every metl instance shares", isUsage: true)
        }
        return URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("archive").path
    }

    /// metl's own GnuPG home: `--gnupg-home`, else `METL_GNUPGHOME`, else `gnupg/` beside a SQLite
    /// database. With PostgreSQL every instance must hold the same keys, so it is named.
    func gnupgHomeDirectory(_ flag: String?, database: String) throws -> String {
        if let named = value(flag, "METL_GNUPGHOME") { return named }
        guard !PostgresLocation.isURL(database) else {
            throw ConfigurationError(message: "a PostgreSQL database needs --gnupg-home (or $METL_GNUPGHOME)", isUsage: true)
        }
        return URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("gnupg").path
    }

    /// A count option's check: `-1` reaches it as a value (the option parses unconditionally), and is refused by name.
    func positive(_ value: Int, _ option: String) throws {
        guard value > 0 else { throw ValidationError("\(option) must be a positive number, not \(value)") }
    }

    func required(_ flag: String?, _ variable: String, _ option: String) throws -> String {
        guard let value = value(flag, variable) else {
            throw ConfigurationError(message: "\(option) (or $\(variable)) is required")
        }
        return value
    }
}
