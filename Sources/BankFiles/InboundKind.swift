/// What an inbound file is, decided from its content (names lie).
public enum InboundKind: String, Sendable, Hashable, Codable {
    /// A NACHA file: returns, NOCs (or anything else in NACHA format).
    case nacha
    /// A FedACH acknowledgement report, in any of its forms.
    case fedACHAcknowledgement = "fedach_ack"
    /// A BAI2 balance and transaction report.
    case bai2
    case unknown

    public static func detect(_ bytes: some Collection<UInt8>) -> InboundKind {
        let head = String(decoding: bytes.prefix(4_096), as: UTF8.self)
        let trimmed = head.drop { $0 == " " || $0 == "\r" || $0 == "\n" }
        if trimmed.hasPrefix("101") || trimmed.hasPrefix("1 01") { return .nacha }
        if trimmed.hasPrefix("01,") { return .bai2 }
        if head.contains("AJ001A") && head.contains("ACKNOWLEDGEMENT OF ACH FILE DEPOSITS") { return .fedACHAcknowledgement }
        return .unknown
    }
}
