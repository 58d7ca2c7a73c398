import Payments

/// A request's history as `payments show` and `checks show` print it.
enum HistoryTable {
    static func print(_ history: [HistoryEntry]) {
        Output.table(["VERSION", "AT", "FROM", "TO", "ACTOR", "REASON", "SOURCE"], history.map {
            [String($0.version), Timestamp.format($0.createdAt), $0.fromState?.rawValue ?? "-", $0.toState.rawValue,
             $0.actor.rawValue, "\($0.reasonCode): \($0.reasonText)",
             $0.source.map { $0.file + ($0.line.map { ":\($0)" } ?? "") } ?? "-"]
        })
    }
}
