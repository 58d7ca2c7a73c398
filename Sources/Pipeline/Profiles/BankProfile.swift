import NACHA

/// Our bank, as every file header and batch header names it.
public struct BankProfile: Sendable, Hashable {
    /// The ODFI's 9-digit routing number: its first 8 digits prefix every trace number.
    public var odfiRouting: String
    /// File header positions 4-13: usually the bank's or the Fed's routing number.
    public var immediateDestination: String
    /// File header positions 14-23: the ODFI routing number or a bank-assigned 10-character id.
    public var immediateOrigin: String
    public var originName: String
    public var destinationName: String

    public init(odfiRouting: String, immediateDestination: String, immediateOrigin: String? = nil,
                originName: String, destinationName: String) throws(PipelineError) {
        guard RoutingNumber.isValid(odfiRouting) else {
            throw PipelineError(.configuration, "the ODFI routing number must be 9 digits with a valid check digit")
        }
        guard RoutingNumber.isValid(immediateDestination) else {
            throw PipelineError(.configuration, "the immediate destination must be a 9-digit routing number with a valid check digit")
        }
        let origin = immediateOrigin ?? odfiRouting
        guard (9...10).contains(origin.utf8.count), origin.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw PipelineError(.configuration, "the immediate origin must be 9 or 10 digits")
        }
        for (name, value, length) in [("origin name", originName, 23), ("destination name", destinationName, 23)]
        where value.utf8.count > length || !value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            throw PipelineError(.configuration, "the \(name) must be at most \(length) printable ASCII characters")
        }
        self.odfiRouting = odfiRouting
        self.immediateDestination = immediateDestination
        self.immediateOrigin = origin
        self.originName = originName.uppercased()
        self.destinationName = destinationName.uppercased()
    }

    /// The first eight digits, as batch headers and trace numbers carry them.
    public var odfiIdentification: Int { Int(odfiRouting.prefix(8)) ?? 0 }
}
