/// The issue-file layout a bank takes for an enrolled account (`../shared/reference/positive-pay.md`):
/// what limits a check's fields must fit before it is accepted at all.
public enum PositivePayLayout: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Layout A, "ARP standard": 94-character records, CRLF, the payee's first 15 characters in the
    /// additional data, and with payee match an 80-character expanded payee after position 94.
    case arp
    /// Layout B: a header per account, 85-character details, a trailer with count and total.
    case headerTrailer = "header-trailer"
    /// `action,account,serial,issue_date,amount,payee`, one account per file.
    case csv

    public var description: String { rawValue }

    /// The longest payee the layout carries. Layout A keeps 80 characters in its expanded field
    /// with payee match; without it, only the first 15 go in the additional data, and the rest is
    /// kept in metl's record.
    public var maximumPayeeLength: Int {
        switch self {
        case .arp: 80
        case .headerTrailer: 40
        case .csv: 80
        }
    }

    /// The largest amount the layout's amount field holds, in cents.
    public var maximumAmount: Int64 {
        switch self {
        case .arp: 999_999_999_999_999_999      // 18 digits
        case .headerTrailer: 9_999_999_999      // 10 digits
        case .csv: 999_999_999_999_999_999
        }
    }

    /// The longest account number the layout's account field holds.
    public var maximumAccountNumberLength: Int {
        switch self {
        case .arp: 20
        case .headerTrailer: 15
        case .csv: 20
        }
    }
}
