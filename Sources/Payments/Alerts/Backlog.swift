/// What waits, in figures, for `/metrics` and job metrics: the webhook outbox, files not yet at the
/// bank, open exceptions, quarantined bank files and open alerts.
public struct Backlog: Sendable, Hashable {
    public var webhooksPending = 0
    public var webhooksDeadLettered = 0
    /// Files by status, for those not yet at the bank or stopped there.
    public var filesByStatus: [OutboundFileStatus: Int] = [:]
    public var openExceptions = 0
    public var quarantinedBankFiles = 0
    public var openAlertsBySeverity: [AlertSeverity: Int] = [:]

    public init() {}

    /// The statuses of files that are not (yet) at the bank, each reported even at zero.
    public static let unsentStatuses: [OutboundFileStatus] = [.awaitingApproval, .rendered, .uploading, .failed]
}

extension OutboundFileStore where Self: WebhookStore & CheckStore & InboundFileStore & AlertStore {
    /// The backlog as stored now.
    public func backlog() async throws -> Backlog {
        var backlog = Backlog()
        backlog.webhooksPending = try await webhookDeliveryCount(status: .pending)
        backlog.webhooksDeadLettered = try await webhookDeliveryCount(status: .failed)
        let files = try await outboundFiles(statuses: Backlog.unsentStatuses)
        for status in Backlog.unsentStatuses { backlog.filesByStatus[status] = files.filter { $0.status == status }.count }
        backlog.openExceptions = try await checkExceptions(merchantID: nil, status: .open).count
        backlog.quarantinedBankFiles = try await inboundFiles().filter { $0.status == .quarantined }.count
        let open = try await alerts(openOnly: true, code: nil, limit: Int.max)
        for severity in AlertSeverity.allCases { backlog.openAlertsBySeverity[severity] = open.filter { $0.severity == severity }.count }
        return backlog
    }
}
