/// Which channels hear which alerts: routes of codes (or `*`) from a minimum severity up, each to
/// its channels. An alert goes to the union of the channels of the routes that take it.
public struct AlertRouting: Sendable, Hashable {
    public struct Route: Sendable, Hashable {
        /// Nil: every code.
        public var codes: Set<AlertCode>?
        public var minimumSeverity: AlertSeverity
        public var channels: [String]

        public init(codes: Set<AlertCode>?, minimumSeverity: AlertSeverity, channels: [String]) {
            self.codes = codes
            self.minimumSeverity = minimumSeverity
            self.channels = channels
        }
    }

    public var routes: [Route]

    public init(routes: [Route]) {
        self.routes = routes
    }

    public static let none = AlertRouting(routes: [])

    /// The channels that hear alerts of `code` at `severity`, each once, in the order the routes name them.
    public func channels(for code: AlertCode, severity: AlertSeverity) -> [String] {
        var seen = Set<String>()
        return routes.filter { ($0.codes?.contains(code) ?? true) && severity >= $0.minimumSeverity }
            .flatMap(\.channels).filter { seen.insert($0).inserted }
    }
}
