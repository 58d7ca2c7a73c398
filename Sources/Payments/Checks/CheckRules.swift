/// Intake rules for check issues whose limits an operator configures. The layout's own field
/// sizes (`PositivePayLayout`) bound them further.
public struct CheckRules: Sendable, Hashable {
    /// The largest check accepted, in cents.
    public var maximumAmount: Int64
    public static let defaultMaximumAmount: Int64 = 1_000_000_000 // $10,000,000.00
    /// How many days ahead of today an issue date may be (post-dated checks).
    public var issueDateHorizonDays: Int
    /// How old a check may be before the bank treats it as stale-dated; an older one is not registered.
    public var staleDays: Int

    public init(maximumAmount: Int64 = CheckRules.defaultMaximumAmount, issueDateHorizonDays: Int = 30, staleDays: Int = 180) {
        self.maximumAmount = maximumAmount
        self.issueDateHorizonDays = max(0, issueDateHorizonDays)
        self.staleDays = max(1, staleDays)
    }
}
