/// What waits for approvers: files held for approval and payments held for it. The CLI's
/// `approvals list` and the console's Approvals page read it here.
extension OutboundFileStore where Self: PaymentStore {
    public func heldForApproval(paymentLimit: Int = 100_000) async throws -> (files: [OutboundFile], payments: [Payment]) {
        let files = try await outboundFiles(statuses: [.awaitingApproval])
        // Only a payment held for approval stays P_CREATED: every other one is validated or failed as it is created.
        let payments = try await payments(PaymentQuery(state: .created, window: ListWindow(limit: paymentLimit)))
        return (files, payments)
    }
}
