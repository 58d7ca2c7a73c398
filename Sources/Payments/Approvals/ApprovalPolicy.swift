/// Dual control, per bank profile: which outbound files (of every kind) and which payments need
/// named approvers before money moves. A profile without a rule releases as before.
public struct ApprovalPolicy: Sendable, Hashable {
    /// Each profile's rules by name.
    public var profiles: [String: Rules]
    /// Which profile sends a payment, and so which profile's rule holds it.
    public var routing: ProfileRouting

    public struct Rules: Sendable, Hashable {
        /// Every file the profile renders, by its gross amount (debits plus credits).
        public var files: ApprovalRule?
        /// Each payment, by its amount.
        public var payments: ApprovalRule?

        public init(files: ApprovalRule? = nil, payments: ApprovalRule? = nil) {
            self.files = files
            self.payments = payments
        }
    }

    public init(profiles: [String: Rules] = [:], routing: ProfileRouting = .only(ProfileRouting.single)) {
        self.profiles = profiles
        self.routing = routing
    }

    /// No approvals anywhere: what a configuration without `approvals` gives.
    public static let none = ApprovalPolicy()

    /// The approvals a new payment needs: its profile's payment rule for its amount.
    public func approvalsRequired(merchant: Merchant, request: ValidatedRequest) -> Int {
        let profile = routing.profile(requested: request.profile, merchant: merchant)
        return profiles[profile]?.payments?.required(for: request.amount) ?? 0
    }
}
