import Foundation
import PostgresStore
import SQLiteStore

extension Settings {
    /// The one rule for the archive: the flag, else `METL_ARCHIVE_DIR`, else `archive/` beside a
    /// SQLite database. A PostgreSQL database has no directory of its own, and every instance must
    /// read the same archive (resume, retry, audit), so it needs the directory named: a shared one.
    public func archiveDirectory(_ flag: String?, layers: Layers) throws(ConfigurationError) -> String {
        try directory(flag, "METL_ARCHIVE_DIR", "--archive-dir", beside: "archive", layers: layers)
    }

    /// metl's own GnuPG home: the flag, else `METL_GNUPGHOME`, else `gnupg/` beside a SQLite
    /// database. With PostgreSQL every instance must hold the same keys, so it is named.
    public func gnupgHomeDirectory(_ flag: String?, layers: Layers) throws(ConfigurationError) -> String {
        try directory(flag, "METL_GNUPGHOME", "--gnupg-home", beside: "gnupg", layers: layers)
    }

    private func directory(_ flag: String?, _ variable: String, _ option: String, beside name: String,
                           layers: Layers) throws(ConfigurationError) -> String {
        if let named = layers.value(flag, variable) { return named }
        guard !PostgresLocation.isURL(database) else {
            throw ConfigurationError(.missingValue, "a PostgreSQL database needs \(option) (or $\(variable)): a directory every metl instance shares",
                                     isUsage: true)
        }
        return URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
