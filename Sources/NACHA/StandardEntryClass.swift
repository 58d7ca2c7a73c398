/// Standard Entry Class codes. metl originates PPD, CCD, WEB, TEL and CTX and reads COR (NOCs);
/// the other codes are recognised so any NACHA file can be validated.
public struct StandardEntryClass: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let ppd = Self(rawValue: "PPD")
    public static let ccd = Self(rawValue: "CCD")
    public static let web = Self(rawValue: "WEB")
    public static let tel = Self(rawValue: "TEL")
    public static let ctx = Self(rawValue: "CTX")
    public static let cor = Self(rawValue: "COR")

    static let meanings: [String: String] = [
        "PPD": "prearranged payment and deposit (consumer)", "CCD": "corporate credit or debit",
        "WEB": "internet-initiated entry", "TEL": "telephone-initiated entry", "CTX": "corporate trade exchange",
        "COR": "notification of change", "ACK": "acknowledgement", "ADV": "automated accounting advice",
        "ARC": "accounts receivable check", "ATX": "financial EDI acknowledgement", "BOC": "back office conversion",
        "CIE": "customer-initiated entry", "DNE": "death notification", "ENR": "automated enrollment",
        "IAT": "international ACH transaction", "MTE": "machine transfer entry", "POP": "point-of-purchase",
        "POS": "point-of-sale", "RCK": "re-presented check", "SHR": "shared network", "TRC": "truncated check",
        "TRX": "truncated check exchange", "XCK": "destroyed check",
    ]

    public var isKnown: Bool { Self.meanings[rawValue] != nil }
    public var meaning: String { Self.meanings[rawValue] ?? "unknown SEC code" }
    public var description: String { rawValue }

    /// Consumer classes whose individual name is mandatory.
    var requiresIndividualName: Bool { self == .ppd || self == .web || self == .tel }

    /// The most addenda records one entry of this class may carry.
    var maximumAddenda: Int {
        switch self {
        case .tel: 0
        case .ctx: 9_999
        default: 1
        }
    }
}
