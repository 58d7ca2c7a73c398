import ArgumentParser
import Foundation
import NACHA
import Payments
import PostgresStore
import Store

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

    struct File: Decodable {
        var database: String?
        var maximumPaymentCents: Int64?
        var effectiveDateHorizonDays: Int?
        enum CodingKeys: String, CodingKey {
            case database, maximumPaymentCents = "max_payment_cents", effectiveDateHorizonDays = "effective_date_horizon_days"
        }
    }

    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var settings = Settings()
        if let path = configPath ?? environment["METL_CONFIG"] {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ConfigurationError(message: "cannot read config file \(path)", isUsage: true)
            }
            do {
                let file = try JSONDecoder().decode(File.self, from: data)
                if let database = file.database { settings.database = database }
                if let maximum = file.maximumPaymentCents { settings.maximumPaymentCents = maximum }
                if let days = file.effectiveDateHorizonDays { settings.effectiveDateHorizonDays = days }
            } catch {
                throw ConfigurationError(message: "config file \(path) is not valid: \(error)")
            }
        }
        if let database = environment["METL_DATABASE"], !database.isEmpty { settings.database = database }
        if let maximum = environment["METL_MAX_PAYMENT_CENTS"] {
            guard let cents = Int64(maximum), cents > 0 else {
                throw ConfigurationError(message: "METL_MAX_PAYMENT_CENTS must be a positive integer")
            }
            settings.maximumPaymentCents = cents
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
        PaymentRules(maximumAmount: maximumPaymentCents, effectiveDateHorizonDays: effectiveDateHorizonDays)
    }

    var checkRules: CheckRules { CheckRules(maximumAmount: maximumCheckCents, staleDays: checkStaleDays) }

    /// The database as it may be shown: a PostgreSQL URL without its password.
    var databaseDescription: String {
        guard PostgresLocation.isURL(database) else { return database }
        return (try? PostgresLocation(url: database).description) ?? "a PostgreSQL database"
    }

    /// Opens the store `database` names: a `postgres://` URL (its password from the URL, else
    /// `PGPASSWORD`, else the file `METL_DATABASE_PASSWORD_FILE` names) or a SQLite file.
    func openStore(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> any LedgerStore {
        guard PostgresLocation.isURL(database) else { return try SQLiteStore(path: database) }
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

    func required(_ flag: String?, _ variable: String, _ option: String) throws -> String {
        guard let value = value(flag, variable) else {
            throw ConfigurationError(message: "\(option) (or $\(variable)) is required")
        }
        return value
    }
}
