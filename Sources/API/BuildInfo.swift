/// Which build of metl answers: `/healthz` says so and `metl_build_info` carries it, so an operator
/// can tell which instances run which commit during a deploy.
public struct BuildInfo: Sendable, Hashable, Encodable {
    public var version: String
    /// 12 hex digits, `-dirty` when the tree had changes, or `unknown`.
    public var commit: String

    public init(version: String, commit: String) {
        self.version = version
        self.commit = commit
    }

    public static let unknown = BuildInfo(version: "unknown", commit: "unknown")
}
