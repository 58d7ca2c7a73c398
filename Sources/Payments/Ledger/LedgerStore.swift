import Foundation

/// Everything metl asks of storage; each store implementation provides all of it.
public typealias LedgerStore = PaymentStore & PaymentImportStore & OutboundFileStore & InboundFileStore & WebhookStore & APIKeyStore
    & CheckStore & OperatorStore & ApprovalStore & AuditStore & AlertStore & OperatorSessionStore
