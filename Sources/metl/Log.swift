import Foundation
import Logging

/// The executable's logging: libraries take a `Logger`; here it goes to standard error, with the level
/// from $METL_LOG_LEVEL (default notice, or warning under --json so scripts read clean stdout), one
/// text line per event, or one JSON object per line with `--log-format json` (or METL_LOG_FORMAT=json).
enum Log {
    enum Format: String, CaseIterable {
        case text, json
    }

    /// Chooses the format for the whole process, once, before any logger is made: `--log-format F`
    /// anywhere on the command line (taken out of the arguments, so every command takes it) over
    /// $METL_LOG_FORMAT, text by default. Returns the arguments without it.
    static func bootstrap(_ arguments: [String], environment: [String: String]) throws(ValidationFailure) -> [String] {
        var rest: [String] = []
        var chosen = environment["METL_LOG_FORMAT"]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                rest += arguments[index...]
                break
            }
            if argument == "--log-format" {
                guard index + 1 < arguments.endIndex else { throw ValidationFailure(message: "--log-format needs text or json") }
                chosen = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--log-format=") {
                chosen = String(argument.dropFirst("--log-format=".count))
            } else {
                rest.append(argument)
            }
            index += 1
        }
        guard let format = Format(rawValue: chosen ?? "text") else {
            throw ValidationFailure(message: "--log-format (or METL_LOG_FORMAT) must be text or json, not \(chosen ?? "")")
        }
        LoggingSystem.bootstrap { label in
            format == .json ? JSONLogHandler(label: label) as any LogHandler : EscapingLogHandler(label: label)
        }
        return rest
    }

    struct ValidationFailure: Error {
        var message: String
    }

    static func make(_ label: String, json: Bool) -> Logger {
        var logger = Logger(label: label)
        let level = ProcessInfo.processInfo.environment["METL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? (json ? .warning : .notice)
        return logger
    }
}
