import BankFiles
import Payments

/// A processor's effects gathered into pieces of about `size` events, as `InboundProcessor.read`
/// hands them on: `add` returns a full piece to pass on, `finish` the rest. A piece holds payment
/// events or check events, never both: a change of kind passes the piece on, so every piece is a
/// run of the file in order, which is what resuming counts on.
public struct InboundPieces {
    public let size: Int
    private var piece = PieceEvents()

    public init(size: Int) {
        self.size = max(1, size)
    }

    /// Adds an event, with the counterparty correction it carries and the payment as read to make
    /// it, when there are; returns a full piece.
    public mutating func add(_ event: BankEvent, correction: CounterpartyCorrection? = nil, read payment: Payment? = nil) -> PieceEvents? {
        let passed = piece.checkEvents.isEmpty && piece.exceptions.isEmpty ? nil : piece
        if passed != nil { piece = PieceEvents() }
        piece.events.append(event)
        if let correction { piece.corrections.append(correction) }
        if let payment { piece.payments[payment.id] = payment }
        if let passed { return passed }
        guard piece.events.count >= size else { return nil }
        defer { piece = PieceEvents() }
        return piece
    }

    /// Adds a check event, with the check as read to make it; returns a piece to pass on.
    public mutating func add(_ event: CheckEvent, read check: CheckIssue? = nil) -> PieceEvents? {
        let passed = piece.events.isEmpty && piece.exceptions.isEmpty ? nil : piece
        if passed != nil { piece = PieceEvents() }
        piece.checkEvents.append(event)
        if let check { piece.checks[check.id] = check }
        if let passed { return passed }
        guard piece.checkEvents.count >= size else { return nil }
        defer { piece = PieceEvents() }
        return piece
    }

    public mutating func note(_ text: String) { piece.notes.append(text) }

    public mutating func settle(_ batch: UnsettledBatch) { piece.settledBatches.append(batch) }

    /// An exception to record, with the check it names as read; returns a piece to pass on. It
    /// counts as an event of a kind of its own.
    public mutating func open(_ exception: CheckException, read check: CheckIssue?) -> PieceEvents? {
        let passed = piece.events.isEmpty && piece.checkEvents.isEmpty ? nil : piece
        if passed != nil { piece = PieceEvents() }
        piece.exceptions.append(exception)
        if let check { piece.checks[check.id] = check }
        if let passed { return passed }
        guard piece.exceptions.count >= size else { return nil }
        defer { piece = PieceEvents() }
        return piece
    }

    /// What is left, possibly nothing.
    public mutating func finish() -> PieceEvents {
        defer { piece = PieceEvents() }
        return piece
    }
}
