import BankFiles
import Payments

/// The events of one piece of a bank file, in file order: for our payments or for our check issues
/// (a piece holds one or the other), the corrections and settled batches to record, and notes for a
/// person. It is not a plan yet: Ingest plans each piece (`LedgerPlanner`, `CheckPlanner`), and the store
/// writes both plans in one transaction.
public struct PieceEvents: Sendable {
    public var events: [BankEvent] = []
    public var checkEvents: [CheckEvent] = []
    public var corrections: [CounterpartyCorrection] = []
    public var settledBatches: [UnsettledBatch] = []
    /// Things a person should know that did not stop the file (unmatched settlement lines, pended acks).
    public var notes: [String] = []
    /// Our payments as the processor read them to make these events, by id. Planning starts from
    /// them rather than reading them again; one changed since is caught by the store's version check
    /// and read again.
    public var payments: [String: Payment] = [:]
    /// Exceptions the file raises, each with the check it names: recorded with their piece, and
    /// counted with the events, so a resumed file does not record one twice.
    public var exceptions: [CheckException] = []
    /// Our checks as the processor read them, by id.
    public var checks: [String: CheckIssue] = [:]

    public init() {}

    /// The events of the piece, of any kind (exceptions count as events): what a resume point counts.
    public var eventCount: Int { events.count + checkEvents.count + exceptions.count }

    /// The piece without its first `count` events (applied by an earlier run that cut its pieces
    /// elsewhere), and without the corrections of payments that have no event left in it.
    func droppingEvents(_ count: Int) -> PieceEvents {
        guard count > 0 else { return self }
        var rest = self
        // A piece holds one kind of event, so this drops the first `count` in file order.
        rest.exceptions = Array(exceptions.dropFirst(max(0, count - events.count - checkEvents.count)))
        rest.checkEvents = Array(checkEvents.dropFirst(max(0, count - events.count)))
        rest.events = Array(events.dropFirst(count))
        let kept = Set(rest.events.map(\.paymentID))
        let dropped = Set(events.prefix(count).map(\.paymentID)).subtracting(kept)
        rest.corrections.removeAll { dropped.contains($0.paymentID) }
        return rest
    }
}
