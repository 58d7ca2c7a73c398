import ArgumentParser
import BankFiles
import Payments

// Every `--status` option takes its status type, so a wrong value is a usage error that lists the
// right ones, and the help shows them.
extension InboundFile.Status: ExpressibleByArgument {}
extension OutboundFileStatus: ExpressibleByArgument {}
extension WebhookDeliveryStatus.Status: ExpressibleByArgument {}
extension CheckException.Status: ExpressibleByArgument {}
extension AuditAction: ExpressibleByArgument {}
extension PositivePayLayout: ExpressibleByArgument {}

extension OutboundFileKind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let kind = Self.rendered.first(where: { $0.rawValue == argument }) else { return nil }
        self = kind
    }

    public static var allValueStrings: [String] { rendered.map(\.rawValue) }
}

extension InboundKind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let kind = Self.named.first(where: { $0.rawValue == argument }) else { return nil }
        self = kind
    }

    public static var allValueStrings: [String] { named.map(\.rawValue) }
}
