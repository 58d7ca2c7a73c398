/// Notification-of-change codes C01–C14 and refused-NOC codes C61–C69, with the layout of the
/// 29-character corrected-data field for each.
public struct ChangeCode: Sendable, Hashable {
    /// The parts a corrected-data field can carry.
    public enum CorrectedPart: String, Sendable, Hashable, Codable {
        case accountNumber = "account_number", routingNumber = "routing_number", name, transactionCode = "transaction_code",
             identificationNumber = "identification_number", receivingDFIIdentification = "receiving_dfi_identification",
             secCode = "sec_code"
    }

    public let code: String
    public let meaning: String
    /// Each part with its 1-based position and length inside the corrected-data field.
    public let layout: [(part: CorrectedPart, start: Int, length: Int)]

    public var isRefusal: Bool { (61...69).contains(Int(code.dropFirst()) ?? 0) }

    public static func == (lhs: ChangeCode, rhs: ChangeCode) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public static func lookup(_ code: String) -> ChangeCode? { table[code] }

    /// Splits a corrected-data field into its parts. Fixed positions first; generators that
    /// right-align the last part (moov-io for C03/C06/C07) are read by falling back to tokens.
    public func correctedData(_ field: String) -> [CorrectedPart: String] {
        let characters = Array(field) + Array(repeating: Character(" "), count: max(0, 29 - field.count))
        var parts: [CorrectedPart: String] = [:]
        for (part, start, length) in layout {
            let slice = String(characters[(start - 1)..<min(29, start - 1 + length)])
            parts[part] = slice.trimmingSpaces
        }
        let tokens = field.split(separator: " ").map(String.init)
        if layout.count > 1, tokens.count == layout.count, parts.values.contains(where: \.isEmpty) {
            for (index, entry) in layout.enumerated() { parts[entry.part] = tokens[index] }
        }
        return parts
    }

    /// Whether `field` holds anything outside the parts its layout reads (after the token fallback
    /// `correctedData` allows): a 29-digit C01 is not a 17-digit account cut short, but corrected
    /// data that cannot be read exactly.
    public func hasStrayCharacters(_ field: String) -> Bool {
        let tokens = field.split(separator: " ")
        if layout.count > 1, tokens.count == layout.count { return false }
        var characters = Array(field)
        for (_, start, length) in layout {
            for index in (start - 1)..<min(characters.count, start - 1 + length) { characters[index] = " " }
        }
        return characters.contains { $0 != " " }
    }

    static let table: [String: ChangeCode] = {
        let rows: [ChangeCode] = [
            .init(code: "C01", meaning: "Incorrect DFI account number", layout: [(.accountNumber, 1, 17)]),
            .init(code: "C02", meaning: "Incorrect routing number", layout: [(.routingNumber, 1, 9)]),
            .init(code: "C03", meaning: "Incorrect routing number and DFI account number", layout: [(.routingNumber, 1, 9), (.accountNumber, 13, 17)]),
            .init(code: "C04", meaning: "Incorrect individual name / receiving company name", layout: [(.name, 1, 22)]),
            .init(code: "C05", meaning: "Incorrect transaction code", layout: [(.transactionCode, 1, 2)]),
            .init(code: "C06", meaning: "Incorrect DFI account number and transaction code", layout: [(.accountNumber, 1, 17), (.transactionCode, 21, 2)]),
            .init(code: "C07", meaning: "Incorrect routing number, DFI account number and transaction code", layout: [(.routingNumber, 1, 9), (.accountNumber, 10, 17), (.transactionCode, 27, 2)]),
            .init(code: "C08", meaning: "Incorrect receiving DFI identification (IAT)", layout: [(.receivingDFIIdentification, 1, 29)]),
            .init(code: "C09", meaning: "Incorrect individual identification number", layout: [(.identificationNumber, 1, 22)]),
            .init(code: "C10", meaning: "Incorrect company name (retired)", layout: [(.name, 1, 16)]),
            .init(code: "C11", meaning: "Incorrect company identification (retired)", layout: [(.identificationNumber, 1, 10)]),
            .init(code: "C12", meaning: "Incorrect company name and identification (retired)", layout: [(.name, 1, 16), (.identificationNumber, 17, 10)]),
            .init(code: "C13", meaning: "Addenda format error", layout: []),
            .init(code: "C14", meaning: "Incorrect SEC code for outbound international payment", layout: [(.secCode, 1, 3)]),
            .init(code: "C61", meaning: "Misrouted notification of change", layout: []),
            .init(code: "C62", meaning: "Incorrect trace number", layout: []),
            .init(code: "C63", meaning: "Incorrect company identification number", layout: []),
            .init(code: "C64", meaning: "Incorrect individual identification number / identification number", layout: []),
            .init(code: "C65", meaning: "Incorrectly formatted corrected data", layout: []),
            .init(code: "C66", meaning: "Incorrect discretionary data", layout: []),
            .init(code: "C67", meaning: "Routing number not from original entry detail record", layout: []),
            .init(code: "C68", meaning: "DFI account number not from original entry detail record", layout: []),
            .init(code: "C69", meaning: "Incorrect transaction code", layout: []),
        ]
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0) })
    }()
}

extension StringProtocol {
    /// The string without leading and trailing ASCII spaces.
    var trimmingSpaces: String {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return String(self[first...last])
    }
}
