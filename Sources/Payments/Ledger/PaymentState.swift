/// The states a payment moves through. The raw values are the names merchants and operators see.
public enum PaymentState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case created = "P_CREATED"
    case validated = "P_VALIDATED"
    case submittedToCore = "P_SUBMITTED_TO_CORE"
    case processing = "P_PROCESSING"
    case completed = "P_COMPLETED"
    case failed = "P_FAILED"

    public var description: String { rawValue }

    /// Accepts `P_VALIDATED`, `validated` or `VALIDATED`.
    public init?(name: String) {
        let upper = name.uppercased()
        guard let state = Self(rawValue: upper) ?? Self(rawValue: "P_" + upper) else { return nil }
        self = state
    }

    /// Terminal for idempotency purposes: the outcome is known (a late return can still follow COMPLETED).
    public var isTerminal: Bool { self == .completed || self == .failed }
}
