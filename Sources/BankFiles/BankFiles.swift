/// The BankFiles module owns the formats the bank sends back other than NACHA itself: the FedACH
/// "Acknowledgement of ACH File Deposits" report (raw fixed-width pages and the line forms) and
/// BAI2 balance reports, plus recognising which kind a file is from its content. Pure parsing:
/// no database, no network. Applying these files to payments is the ingest job's work.
public enum BankFiles {}

/// Amount text such as `$      168,390.98` or `1,234.5` as integer cents; nil when it is not one.
func cents(fromDisplay text: some StringProtocol) -> Int64? {
    var digits = ""
    var decimals: Int?
    for character in text {
        switch character {
        case "$", ",", " ": continue
        case ".": guard decimals == nil else { return nil }; decimals = 0
        case "0"..."9":
            digits.append(character)
            if let count = decimals { decimals = count + 1 }
        default: return nil
        }
    }
    guard !digits.isEmpty, let value = Int64(digits) else { return nil }
    switch decimals ?? 0 {
    case 0: return value * 100
    case 1: return value * 10
    case 2: return value
    default: return nil
    }
}
