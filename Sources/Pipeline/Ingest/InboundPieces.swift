import BankFiles
import Payments

/// A processor's effects gathered into pieces of about `size` events, as `InboundProcessor.read`
/// hands them on: `add` returns a full piece to pass on, `finish` the rest.
public struct InboundPieces {
    public let size: Int
    private var piece = InboundPlan()

    public init(size: Int) {
        self.size = max(1, size)
    }

    /// Adds an event, with the counterparty correction it carries and the payment as read to make
    /// it, when there are; returns a full piece.
    public mutating func add(_ event: BankEvent, correction: CounterpartyCorrection? = nil, read payment: Payment? = nil) -> InboundPlan? {
        piece.events.append(event)
        if let correction { piece.corrections.append(correction) }
        if let payment { piece.payments[payment.id] = payment }
        guard piece.events.count >= size else { return nil }
        defer { piece = InboundPlan() }
        return piece
    }

    public mutating func note(_ text: String) { piece.notes.append(text) }

    public mutating func settle(_ batch: UnsettledBatch) { piece.settledBatches.append(batch) }

    /// What is left, possibly nothing.
    public mutating func finish() -> InboundPlan {
        defer { piece = InboundPlan() }
        return piece
    }
}
