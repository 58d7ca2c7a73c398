/// Settings that cannot run: found before anything is opened, every problem at once, each at its key
/// (`FILE: profiles.x.odfi.routing: …` in the configuration file, `--odfi-routing (or
/// $METL_ODFI_ROUTING) …` on the command line). Messages name files and keys, never a secret's value.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// A file the settings name cannot be read: the configuration file, a password or passphrase file.
        case unreadableFile = "unreadable_file"
        /// A value is not one its key takes.
        case invalidValue = "invalid_value"
        /// A required setting has no value in any layer.
        case missingValue = "missing_value"
        /// Settings that cannot hold together: an override that would apply to several profiles, a
        /// signer without a recipient, a kind the profile does not send.
        case conflict
        /// A bank profile the configuration does not have.
        case unknownProfile = "unknown_profile"
        /// A command that only reads named a database that is not there.
        case noDatabase = "no_database"
    }

    public var code: Code
    /// One line per problem.
    public var problems: [String]
    /// A mistake in how the command was asked (its exit status is a usage error), not in the settings.
    public var isUsage: Bool

    public init(_ code: Code, _ problems: [String], isUsage: Bool = false) {
        self.code = code
        self.problems = problems
        self.isUsage = isUsage
    }

    public init(_ code: Code, _ problem: String, isUsage: Bool = false) {
        self.init(code, [problem], isUsage: isUsage)
    }

    public var description: String { problems.joined(separator: "\n") }
}

/// Problems found while resolving settings, thrown together so that one run shows every one.
struct ProblemList {
    private(set) var problems: [String] = []
    private var code: ConfigurationError.Code?
    private var isUsage = false

    mutating func add(_ code: ConfigurationError.Code, _ problem: String, isUsage: Bool = false) {
        // The same mistake met by several kinds or profiles is told once.
        guard !problems.contains(problem) else { return }
        problems.append(problem)
        self.isUsage = self.isUsage || isUsage
        // A missing value is the most common mistake; any other kind of problem says more.
        if self.code == nil || self.code == .missingValue { self.code = code }
    }

    /// Records `error`'s problems, for a step that throws.
    mutating func collect<T>(_ step: () throws -> T) -> T? {
        do {
            return try step()
        } catch let error as ConfigurationError {
            for problem in error.problems { add(error.code, problem, isUsage: error.isUsage) }
        } catch {
            add(.invalidValue, "\(error)")
        }
        return nil
    }

    func check() throws(ConfigurationError) {
        guard let code else { return }
        throw ConfigurationError(code, problems, isUsage: isUsage)
    }
}
