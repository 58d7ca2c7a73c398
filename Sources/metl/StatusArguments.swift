import ArgumentParser
import Payments

// Every `--status` option takes its status type, so a wrong value is a usage error that lists the
// right ones, and the help shows them.
extension InboundFile.Status: ExpressibleByArgument {}
extension OutboundFileStatus: ExpressibleByArgument {}
extension WebhookDeliveryStatus.Status: ExpressibleByArgument {}
extension CheckException.Status: ExpressibleByArgument {}
extension PositivePayLayout: ExpressibleByArgument {}
