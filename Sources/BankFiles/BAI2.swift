/// A BAI2 balance and transaction report: file ⊃ groups (one bank, one as-of date) ⊃ accounts ⊃
/// summaries and transaction details. Amounts are integer minor units (cents for USD).
public struct BAI2File: Sendable, Hashable {
    public var sender: String
    public var receiver: String
    /// Raw `YYMMDD` and `HHMM`.
    public var creationDate: String
    public var creationTime: String
    public var fileID: String
    public var groups: [Group]

    public struct Group: Sendable, Hashable {
        public var ultimateReceiver: String
        public var originator: String
        /// `1` update, `2` deletion, `3` correction, `4` test only.
        public var status: String
        public var asOfDate: String
        public var asOfTime: String
        public var currency: String
        public var accounts: [Account]
    }

    public struct Account: Sendable, Hashable {
        public var number: String
        public var currency: String
        public var summaries: [Summary]
        public var transactions: [Transaction]
    }

    /// A status or summary amount from an `03` record.
    public struct Summary: Sendable, Hashable {
        public var typeCode: String
        public var amount: Int64?
        public var itemCount: Int?
        public var fundsType: FundsType
    }

    /// One `16` record (with its `88` continuations joined).
    public struct Transaction: Sendable, Hashable {
        public var typeCode: String
        public var amount: Int64?
        public var fundsType: FundsType
        public var bankReference: String
        public var customerReference: String
        public var text: String
        /// Credit or debit comes from the type code, never from the amount's sign.
        public var isCredit: Bool { (Int(typeCode) ?? 0) < 400 || (920...959).contains(Int(typeCode) ?? 0) }
    }

    public enum FundsType: Sendable, Hashable {
        case unknown, immediate, oneDay, twoOrMoreDays
        case valueDated(date: String, time: String)
        case distributed(immediate: Int64, oneDay: Int64, twoOrMoreDays: Int64)
        case distributedByDays([Availability])
    }

    public struct Availability: Sendable, Hashable {
        public var days: Int
        public var amount: Int64
    }
}

/// A BAI2 file that cannot be trusted: malformed, out of order, or with control totals that do not add up.
public struct BAI2Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based physical line, when one is to blame.
    public var line: Int?
    public var message: String
    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}
