/// Why a store could not do what it was asked, as opposed to a domain refusal (`PaymentError`): the
/// database failed or stayed busy, a plan met rows that changed since they were read, or a lease is
/// held by someone else. Every store implementation throws these codes for the same situations, so
/// callers retry, re-plan or report without knowing which database is underneath.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The database failed, or stayed busy beyond its timeout. Nothing was written.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The database server could not be reached: down, refusing connections, or no route to it.
        public static let unreachable = Code(rawValue: "unreachable")
        /// The server answered and refused us: a login it does not accept (or no password given), a
        /// database that does not exist, a certificate the configured roots do not trust.
        public static let refused = Code(rawValue: "refused")
        /// A payment, file or balance changed between the read a plan was computed from and its write;
        /// nothing was written. The caller reads again and plans again, or reports.
        public static let conflict = Code(rawValue: "conflict")
        /// Another live holder has the lease.
        public static let leaseHeld = Code(rawValue: "lease_held")
        /// A stored value this build cannot read (an unknown state, kind or date): written by another
        /// version or by hand. Reading stops; it is never taken for a default.
        public static let undecodable = Code(rawValue: "undecodable")
    }

    public var code: Code
    /// What failed, in words safe to log: table and constraint names, never bound values.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
