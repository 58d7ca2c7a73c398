/// Which due deliveries one claim takes. Each endpoint offers the head of its queue, as many as it
/// has free slots (`freeSlots`); when they offer more than the claim has room for, the oldest due go
/// first across endpoints, ids breaking ties, so no endpoint's backlog starves another's.
public enum DeliveryClaim {
    /// A delivery an endpoint offers: its id and when it fell due (milliseconds).
    public struct Candidate: Sendable, Hashable {
        public var id: Int64
        public var due: Int64

        public init(id: Int64, due: Int64) {
            self.id = id
            self.due = due
        }
    }

    /// How many more deliveries an endpoint may have in flight, with `leased` leased now.
    public static func freeSlots(perEndpoint: Int, leased: Int) -> Int { max(0, perEndpoint - leased) }

    /// The ids the claim leases: at most `limit`, oldest due first.
    public static func chosen(_ candidates: [Candidate], limit: Int) -> [Int64] {
        candidates.sorted { ($0.due, $0.id) < ($1.due, $1.id) }.prefix(limit).map(\.id)
    }
}
