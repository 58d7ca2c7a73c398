import Foundation

/// One payment to take in.
public struct PaymentIntake: Sendable, Hashable {
    public var merchantID: String
    public var idempotencyKey: String
    public var request: ValidatedRequest
    public var actor: Actor
    public var source: SourceReference?
    /// Keep the first response (the payment document as created) with the key, for replays.
    public var keepsResponse: Bool
    /// Approvals the payment needs before it is validated (`ApprovalPolicy`); 0: validated at once.
    public var approvalsRequired: Int

    public init(merchantID: String, idempotencyKey: String, request: ValidatedRequest, actor: Actor,
                source: SourceReference? = nil, keepsResponse: Bool = false, approvalsRequired: Int = 0) {
        self.approvalsRequired = approvalsRequired
        self.merchantID = merchantID
        self.idempotencyKey = idempotencyKey
        self.request = request
        self.actor = actor
        self.source = source
        self.keepsResponse = keepsResponse
    }
}
