import Foundation
import NACHA

/// Everything metl asks of storage; each store implementation provides all of it.
public typealias LedgerStore = PaymentStore & OutboundFileStore & InboundFileStore & WebhookStore & APIKeyStore
