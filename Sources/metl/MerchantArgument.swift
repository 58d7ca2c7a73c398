import Payments

extension PaymentStore {
    /// The id of the merchant a `--merchant` value names (id or name), or nil when none is given.
    func merchantID(named merchant: String?) async throws -> String? {
        guard let merchant else { return nil }
        return try await self.merchant(merchant).id
    }
}
