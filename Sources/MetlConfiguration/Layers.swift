/// Where a setting is looked up, highest first: the command-line flag's value, then its `METL_*`
/// environment variable; the configuration file and the built-in default come after, where each
/// setting is resolved. The executable passes its environment in: the library reads none itself.
public struct Layers: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The flag when given, else the variable, else nil; an empty value is no value.
    public func value(_ flag: String?, _ variable: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }

    /// An on/off flag, also on when its variable is `true`.
    public func isOn(_ flag: Bool, _ variable: String) -> Bool {
        flag || environment[variable] == "true"
    }

    /// A value no layer may leave out: `option (or $VARIABLE) is required` otherwise.
    func required(_ flag: String?, _ variable: String, _ option: String) throws(ConfigurationError) -> String {
        guard let value = value(flag, variable) else { throw ConfigurationError(.missingValue, "\(option) (or $\(variable)) is required") }
        return value
    }

    /// A positive whole number from the flag or variable, nil when neither is given.
    func positive<Number: FixedWidthInteger>(_ flag: Number?, _ variable: String, _ option: String,
                                             as: Number.Type = Number.self) throws(ConfigurationError) -> Number? {
        guard let text = value(flag.map(String.init), variable) else { return nil }
        guard let number = Number(text), number > 0 else {
            throw ConfigurationError(.invalidValue, "\(option) (or $\(variable)) must be a positive whole number, not \(text)")
        }
        return number
    }

    /// A duration like 10s, 5m or 5d from the flag or variable, nil when neither is given.
    func duration(_ flag: String?, _ variable: String, _ option: String) throws(ConfigurationError) -> Duration? {
        guard let text = value(flag, variable) else { return nil }
        guard let duration = Duration(parsing: text), duration > .zero else {
            throw ConfigurationError(.invalidValue, "\(option) (or $\(variable)) must be a duration such as 10s, 5m or 5d, not \(text)")
        }
        return duration
    }
}
