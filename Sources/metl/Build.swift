import API
import CBuildInfo

/// This executable's build, as Package.swift stamped it.
enum Build {
    static let info = BuildInfo(version: String(cString: metl_build_version()), commit: String(cString: metl_build_commit()))
    /// What `metl --version` prints.
    static var versionLine: String { "metl \(info.version) (commit \(info.commit))" }
}
