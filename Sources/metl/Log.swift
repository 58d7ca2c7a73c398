import Foundation
import Logging

/// The executable's logging: libraries take a `Logger`; here it goes to standard error, with the level
/// from $METL_LOG_LEVEL (default notice, or warning under --json so scripts read clean stdout).
enum Log {
    static func make(_ label: String, json: Bool) -> Logger {
        var logger = Logger(label: label) { EscapingLogHandler(label: $0) }
        let level = ProcessInfo.processInfo.environment["METL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? (json ? .warning : .notice)
        return logger
    }
}
