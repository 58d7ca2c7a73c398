import Foundation

/// Named points where tests can make an operation fail, to prove that what should be atomic is.
/// Product code calls `hit(_:)`; without an injector armed it does nothing.
public struct FaultInjector: Sendable {
    public struct Point: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Inside a transition, after the state update and before its history row.
        public static let afterStateUpdate = Point(rawValue: "after_state_update")
        /// Inside an intake, after the payment row and before validation.
        public static let afterPaymentInsert = Point(rawValue: "after_payment_insert")
        /// Inside a bank file's piece, after its exceptions are written and before the commit.
        public static let afterExceptionsWritten = Point(rawValue: "after_exceptions_written")
        /// The readiness check's database read.
        public static let databaseCheck = Point(rawValue: "database_check")
    }

    public struct Injected: Error, Sendable { public let point: Point }

    private let armed: @Sendable (Point) -> Bool

    public init(armed: @escaping @Sendable (Point) -> Bool) {
        self.armed = armed
    }

    public static let none = FaultInjector { _ in false }

    public func hit(_ point: Point) throws {
        if armed(point) { throw Injected(point: point) }
    }
}
