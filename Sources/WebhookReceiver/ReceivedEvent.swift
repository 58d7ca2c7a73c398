import Foundation

/// A metl webhook event as delivered.
public struct ReceivedEvent: Sendable, Hashable, Decodable {
    public var id: String
    /// `payment.*` (submitted, processing, completed, failed, corrected), `check.*` (submitted,
    /// on_file, paid, failed) or `check.exception.*` (opened, decided, closed).
    public var type: String
    public var timestamp: String
    public var data: Snapshot

    /// What the event is about, from its type: where its authoritative status is read.
    public var subject: Subject {
        if type.hasPrefix("check.exception.") { return .exception }
        return type.hasPrefix("check.") ? .check : .payment
    }

    public enum Subject: Sendable, Hashable {
        /// `GET /payments/{id}`.
        case payment
        /// `GET /positive-pay/checks/{id}`.
        case check
        /// `GET /positive-pay/exceptions/{id}`.
        case exception
    }
}

/// A payment, check or exception as an event or its status endpoint describes it (the members
/// both carry). An exception has a `status` (open, decided, closed) where requests have a `P_*`
/// `state`, and a `presented_amount`: the snapshot reads either into `state` and `amount`.
public struct Snapshot: Sendable, Hashable, Decodable {
    public struct Failure: Sendable, Hashable, Decodable {
        public var code: String
        public var message: String
    }

    public var id: String
    public var state: String
    public var version: Int
    public var amount: Int64
    public var failure: Failure?

    public init(id: String, state: String, version: Int, amount: Int64, failure: Failure? = nil) {
        self.id = id
        self.state = state
        self.version = version
        self.amount = amount
        self.failure = failure
    }

    enum CodingKeys: String, CodingKey {
        case id, state, status, version, amount, failure
        case presentedAmount = "presented_amount"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? container.decode(String.self, forKey: .status)
        version = try container.decode(Int.self, forKey: .version)
        amount = try container.decodeIfPresent(Int64.self, forKey: .amount) ?? container.decode(Int64.self, forKey: .presentedAmount)
        failure = try container.decodeIfPresent(Failure.self, forKey: .failure)
    }
}
