/// Which bank profile sends a payment: the one its request named, else its merchant's, else the
/// default. Every profile's cutoff asks the same routing, so each payment has exactly one, and
/// intake asks it for the profile whose approval rule holds the payment.
public struct ProfileRouting: Sendable, Hashable {
    public var defaultProfile: String
    /// Merchant id or name → profile name.
    public var merchants: [String: String]

    public init(defaultProfile: String, merchants: [String: String] = [:]) {
        self.defaultProfile = defaultProfile
        self.merchants = merchants
    }

    /// One profile for everything: the single-profile configuration of flags and variables.
    public static func only(_ profile: String) -> ProfileRouting { ProfileRouting(defaultProfile: profile) }

    /// The name of the one profile flags and `METL_*` variables describe when no configuration file names any.
    public static let single = "default"

    public func profile(for pending: PendingPayment) -> String {
        profile(requested: pending.payment.profile, merchant: pending.merchant)
    }

    public func profile(requested: String?, merchant: Merchant) -> String {
        requested ?? merchants[merchant.id] ?? merchants[merchant.name] ?? defaultProfile
    }
}
