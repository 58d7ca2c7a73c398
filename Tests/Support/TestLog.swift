import Foundation
import Logging

/// Log output of the product code under test. Silent by default, so `make test` shows the tests'
/// own results; `METL_TEST_LOG=debug` (or `info`, `notice` …) brings every line back on stderr.
public enum TestLog {
    /// The level `METL_TEST_LOG` names; nil: silent.
    static let level: Logger.Level? = ProcessInfo.processInfo.environment["METL_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))

    /// Sets the process's log handler once, so loggers the product makes itself (a store's default)
    /// follow `METL_TEST_LOG` too. Every test helper that makes a store or a logger calls it.
    public static let bootstrap: Void = {
        LoggingSystem.bootstrap { label in
            guard let level else { return SwiftLogNoOpLogHandler() }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    public static func logger(_ label: String = "test") -> Logger {
        bootstrap
        return Logger(label: label)
    }
}
