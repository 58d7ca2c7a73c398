import ArgumentParser
import Foundation
import Payments

/// Settings from, in increasing priority: built-in defaults, a JSON config file (`--config` or
/// `METL_CONFIG`), `METL_*` environment variables, command-line flags. No file is needed.
struct Settings {
    var database = "metl.sqlite"
    var maximumPaymentCents = PaymentRules.defaultMaximumAmount

    struct File: Decodable {
        var database: String?
        var maximumPaymentCents: Int64?
        enum CodingKeys: String, CodingKey {
            case database, maximumPaymentCents = "max_payment_cents"
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
        return settings
    }

    var rules: PaymentRules { PaymentRules(maximumAmount: maximumPaymentCents) }
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

    func required(_ flag: String?, _ variable: String, _ option: String) throws -> String {
        guard let value = value(flag, variable) else {
            throw ConfigurationError(message: "\(option) (or $\(variable)) is required")
        }
        return value
    }
}
