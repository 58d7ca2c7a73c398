import Foundation
import Logging

/// The executable's logging: libraries take a `Logger`; here it goes to standard error, with the level
/// from $METL_LOG_LEVEL (default notice, or warning under --json so scripts read clean stdout), one
/// text line per event, or one JSON object per line with METL_LOG_FORMAT=json.
enum Log {
    static func make(_ label: String, json: Bool) -> Logger {
        let format = ProcessInfo.processInfo.environment["METL_LOG_FORMAT"]
        var logger = format == "json" ? Logger(label: label) { JSONLogHandler(label: $0) } : Logger(label: label) { EscapingLogHandler(label: $0) }
        let level = ProcessInfo.processInfo.environment["METL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? (json ? .warning : .notice)
        return logger
    }
}
