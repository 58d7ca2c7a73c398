import Foundation
import NACHA
import Payments
import Pipeline

/// What every command shares, from in increasing priority: built-in defaults, a JSON configuration
/// file (`--config` or `METL_CONFIG`), `METL_*` environment variables. No file is needed.
public struct Settings: Sendable {
    public var database = "metl.sqlite"
    public var maximumPaymentCents = PaymentRules.defaultMaximumAmount
    public var effectiveDateHorizonDays = PaymentRules.defaultEffectiveDateHorizonDays
    public var maximumCheckCents = CheckRules.defaultMaximumAmount
    public var checkStaleDays = CheckRules().staleDays
    /// `METL_CLOCK`: a fixed local time for reproducible demos and fixtures; never set in production.
    public var fixedClock: Date?

    public var sameDayMaximumCents = PaymentRules.defaultSameDayMaximumAmount
    /// The cutoff's delivery window, which every profile's cutoff windows must fit.
    public var cutoffWindow: Duration = .seconds(900)
    /// The configuration file's bank profiles, in name order; empty: the single profile of flags and `METL_*` variables.
    public var profiles: [ProfileConfiguration] = []
    /// The profile of merchants no profile names.
    public var defaultProfile = ProfileRouting.single
    /// `alerts`: the channels and routes alerts go through.
    public var alerts = AlertSettings()
    /// `audit.signing_key_file`: metl's Ed25519 key that signs the audit log's checkpoints.
    public var auditKeyFile: String?
    /// `audit.checkpoint_url`: where every signed checkpoint is also sent (`METL_AUDIT_CHECKPOINT_URL` over it).
    public var auditCheckpointURL: String?
    /// SHA-256 of the configuration file's bytes, when there is one: what a job run's audit entry records.
    public var configurationDigest: String?
    /// What runs when: the configuration's `schedule` with the profiles' windows.
    public var schedule = Schedule.read(nil, profiles: [], defaultProfile: ProfileRouting.single)

    public init() {}

    /// The settings `configPath` (else `METL_CONFIG`) and the `METL_*` variables of `environment`
    /// give, with `database` (a `--database` flag) over both. Every problem is thrown at once.
    public static func load(configPath: String?, database: String? = nil, environment: [String: String]) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        var problems = ProblemList()
        let layers = Layers(environment: environment)
        if let window = problems.collect({ try layers.duration(nil, "METL_CUTOFF_WINDOW", "the cutoff window") }), let window {
            settings.cutoffWindow = window
        }
        if let path = layers.value(configPath, "METL_CONFIG") {
            do throws(ConfigurationError) {
                try settings.read(file: path, windowFromEnvironment: layers.value(nil, "METL_CUTOFF_WINDOW") != nil)
            } catch where error.code != .invalidValue {
                throw error
            } catch {
                for problem in error.problems { problems.add(error.code, problem) }
            }
        }
        if let database = layers.value(database, "METL_DATABASE") { settings.database = database }
        func positive(_ variable: String) -> Int64? {
            problems.collect { try layers.positive(nil, variable, variable, as: Int64.self) } ?? nil
        }
        if let cents = positive("METL_MAX_PAYMENT_CENTS") { settings.maximumPaymentCents = cents }
        if let cents = positive("METL_SAME_DAY_MAX_PAYMENT_CENTS") { settings.sameDayMaximumCents = cents }
        if let cents = positive("METL_MAX_CHECK_CENTS") { settings.maximumCheckCents = cents }
        if let days = positive("METL_CHECK_STALE_DAYS") { settings.checkStaleDays = Int(clamping: days) }
        if let horizon = layers.value(nil, "METL_EFFECTIVE_DATE_HORIZON_DAYS") { settings.effectiveDateHorizonDays = Int(horizon) ?? -1 }
        if let clock = layers.value(nil, "METL_CLOCK") {
            if let fixed = Settings.localTime(clock) {
                settings.fixedClock = fixed
            } else {
                problems.add(.invalidValue, "METL_CLOCK must be a local time YYYY-MM-DDTHH:MM")
            }
        }
        if !(0...PaymentRules.maximumEffectiveDateHorizonDays).contains(settings.effectiveDateHorizonDays) {
            problems.add(.invalidValue, "the effective date horizon (METL_EFFECTIVE_DATE_HORIZON_DAYS or effective_date_horizon_days) "
                         + "must be 0 to \(PaymentRules.maximumEffectiveDateHorizonDays) days")
        }
        try problems.check()
        return settings
    }

    /// The time jobs and intake work at: now, or `METL_CLOCK`.
    public var clock: @Sendable () -> Date {
        guard let fixed = fixedClock else { return { Date() } }
        return { fixed }
    }

    /// The bank's calendar day that effective dates are measured from.
    public var today: ACHDate { ACHDate(clock()) }

    static func localTime(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 5 else { return nil }
        return Calendar.current.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    public var rules: PaymentRules {
        PaymentRules(maximumAmount: maximumPaymentCents, effectiveDateHorizonDays: effectiveDateHorizonDays,
                     sameDayMaximumAmount: sameDayMaximumCents, profiles: Set(profiles.map(\.name)))
    }

    public var checkRules: CheckRules { CheckRules(maximumAmount: maximumCheckCents, staleDays: checkStaleDays) }

    /// Which profile sends each payment, as the profiles' `merchants` lists say.
    public var routing: ProfileRouting {
        var merchants: [String: String] = [:]
        for profile in profiles { for merchant in profile.merchants { merchants[merchant] = profile.name } }
        return ProfileRouting(defaultProfile: defaultProfile, merchants: merchants)
    }

    /// Which files and payments wait for named approvers, per profile (`profiles.NAME.approvals`).
    public var approvalPolicy: ApprovalPolicy {
        ApprovalPolicy(profiles: Dictionary(uniqueKeysWithValues: profiles.map { ($0.name, $0.approvals) }), routing: routing)
    }

    /// The configuration file's profiles, refused when it names none.
    public func configuredProfiles() throws(ConfigurationError) -> [ProfileConfiguration] {
        guard !profiles.isEmpty else {
            throw ConfigurationError(.unknownProfile, "the configuration names no bank profiles (profiles in the file --config or $METL_CONFIG "
                                     + "names); the cutoff uses the single profile of its flags and METL_* variables")
        }
        return profiles
    }

    public func profile(named name: String) throws(ConfigurationError) -> ProfileConfiguration {
        let profiles = try configuredProfiles()
        guard let profile = profiles.first(where: { $0.name == name }) else {
            throw ConfigurationError(.unknownProfile, "no bank profile \(name); the profiles are \(profiles.map(\.name).joined(separator: ", "))")
        }
        return profile
    }

    /// Reads the JSON configuration file, reporting every problem in it at once, each at its key.
    private mutating func read(file: String, windowFromEnvironment: Bool) throws(ConfigurationError) {
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
        schedule = Schedule.read(root.table("schedule"), profiles: profiles, defaultProfile: defaultProfile)
        alerts = AlertSettings.read(root.table("alerts"))
        if let audit = root.table("audit") {
            auditKeyFile = audit.string("signing_key_file")
            auditCheckpointURL = audit.string("checkpoint_url")
            audit.finish()
        }
        configurationDigest = root.fileSHA256
        root.finish()
        try root.check(file: file)
    }
}
