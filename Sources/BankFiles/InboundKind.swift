/// What an inbound file is, decided from its content (names lie). A struct rather than an enum so
/// that a kind can be added with its processor (a test registers one of its own).
public struct InboundKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A NACHA file: returns, NOCs (or anything else in NACHA format).
    public static let nacha = InboundKind(rawValue: "nacha")
    /// A FedACH acknowledgement report, in any of its forms.
    public static let fedACHAcknowledgement = InboundKind(rawValue: "fedach_ack")
    /// A BAI2 balance and transaction report.
    public static let bai2 = InboundKind(rawValue: "bai2")
    /// Positive Pay ARP output (layout A from the bank): outstanding, paid, voided and stopped checks.
    public static let arpOutput = InboundKind(rawValue: "arp_output")
    /// metl's canonical Positive Pay exception file (CSV with its header row).
    public static let checkExceptions = InboundKind(rawValue: "check_exceptions")
    /// None metl reads.
    public static let unknown = InboundKind(rawValue: "unknown")
    /// Every kind metl recognises, and `unknown`.
    public static let named: [InboundKind] = [.nacha, .fedACHAcknowledgement, .bai2, .arpOutput, .checkExceptions, .unknown]

    /// The format as a sentence names it: "a BAI2 report".
    public var formatName: String {
        switch self {
        case .nacha: "a NACHA file"
        case .fedACHAcknowledgement: "a FedACH acknowledgement"
        case .bai2: "a BAI2 report"
        case .arpOutput: "a Positive Pay ARP file"
        case .checkExceptions: "a Positive Pay exception file"
        default: rawValue
        }
    }

    /// Which of the bank's formats these first bytes are. A byte-order mark some Windows tools put
    /// first does not hide the kind: the file's reader then reports the record it damages (a NACHA
    /// header three characters long is a finding, not another format).
    public static func detect(_ bytes: some Collection<UInt8>) -> InboundKind {
        let head = String(decoding: bytes.prefix(4_096), as: UTF8.self)
        let trimmed = head.drop { $0 == "\u{FEFF}" || $0 == " " || $0 == "\r" || $0 == "\n" }
        if trimmed.hasPrefix("101") || trimmed.hasPrefix("1 01") { return .nacha }
        if trimmed.hasPrefix("01,") { return .bai2 }
        if head.contains("AJ001A") && head.contains("ACKNOWLEDGEMENT OF ACH FILE DEPOSITS") { return .fedACHAcknowledgement }
        if ARPFile.looksLike(bytes.prefix(4_096)) { return .arpOutput }
        return .unknown
    }
}
