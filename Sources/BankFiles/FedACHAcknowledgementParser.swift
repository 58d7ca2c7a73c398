import Foundation

/// Parses the three forms FedACH acknowledgements arrive in: raw production pages (a 24-byte control
/// block, then fixed 81-byte lines of type character + 80 columns), the pretty line form (type
/// character first, spaces collapsed) and reconstructed lines (no type characters). All three become
/// one list of logical lines, read by their labels rather than their columns.
public struct FedACHAcknowledgementParser: AcknowledgementParser {
    public init() {}

    struct Line {
        var type: Character?
        var text: String
    }

    public func parse(_ bytes: [UInt8]) throws(AcknowledgementError) -> FedACHAcknowledgement {
        try interpret(lines(EndOfFileMarker.trimmed(bytes)))
    }

    // MARK: Forms

    func lines(_ bytes: [UInt8]) throws(AcknowledgementError) -> [Line] {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("        AJ001A") { return try rawPages(bytes) }
        let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        let typed = physical.contains { $0.hasPrefix("4FILE STATUS:") || $0.hasPrefix("GFILE STATUS:") }
        return physical.compactMap { line -> Line? in
            let trimmed = line.trimmingSpaces
            if trimmed.hasPrefix("AJ001A01A") { return nil } // page headers repeat inside the report
            guard typed else { return Line(type: nil, text: trimmed) }
            guard let first = line.first else { return nil }
            return Line(type: first, text: String(line.dropFirst()).trimmingSpaces)
        }
    }

    private func rawPages(_ bytes: [UInt8]) throws(AcknowledgementError) -> [Line] {
        var lines: [Line] = []
        var offset = 0
        while offset + 24 <= bytes.count {
            let control = String(decoding: bytes[offset..<(offset + 24)], as: UTF8.self)
            let characters = Array(control)
            guard String(characters[8..<14]) == "AJ001A", let width = Int(String(characters[17..<20])),
                  let count = Int(String(characters[20..<22])), width > 0, count > 0 else {
                throw AcknowledgementError("raw acknowledgement page at byte \(offset) has no AJ001A control block")
            }
            var position = offset + 24
            for _ in 0..<count {
                guard position + 1 + width <= bytes.count else {
                    throw AcknowledgementError("raw acknowledgement page at byte \(offset) is truncated")
                }
                let type = Character(Unicode.Scalar(bytes[position]))
                let text = String(decoding: bytes[(position + 1)..<(position + 1 + width)], as: UTF8.self).trimmingSpaces
                lines.append(Line(type: type, text: text))
                position += 1 + width
            }
            if position < bytes.count, bytes[position] == 0x0A { position += 1 }
            offset = position
        }
        guard offset == bytes.count || bytes[offset...].allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }) else {
            throw AcknowledgementError("raw acknowledgement has \(bytes.count - offset) bytes after its last page")
        }
        return lines
    }

    // MARK: Reading the report

    private func interpret(_ lines: [Line]) throws(AcknowledgementError) -> FedACHAcknowledgement {
        var status: String?
        var origin: String?, destination: String?, date: String?, time: String?, modifier: String?
        var batchCount: Int?, entryCount: Int?, debit: Int64?, credit: Int64?
        var itemsRejected: Int?
        var fileMessages: [FedACHAcknowledgement.Message] = []
        var batches: [FedACHAcknowledgement.BatchSection] = []
        var index = 0
        func value(_ text: String, after label: String) -> String? {
            guard let range = text.range(of: label) else { return nil }
            return String(text[range.upperBound...]).trimmingSpaces
        }
        while index < lines.count {
            let line = lines[index]
            let text = line.text
            defer { index += 1 }
            if let message = Self.message(text) {
                // The detail is the next line when it is not itself a label or message.
                var detail = ""
                if index + 1 < lines.count, lines[index + 1].type != "Z", Self.message(lines[index + 1].text) == nil,
                   !Self.isLabel(lines[index + 1].text) {
                    detail = lines[index + 1].text
                    index += 1
                }
                let full = FedACHAcknowledgement.Message(code: message.code, description: message.description, detail: detail)
                if batches.isEmpty || line.type == "I" { fileMessages.append(full) } else { batches[batches.count - 1].messages.append(full) }
                continue
            }
            if let found = value(text, after: "FILE STATUS:"), status == nil { status = found }
            else if let found = value(text, after: "IMMEDIATE ORIGIN:") { origin = found.replacingOccurrences(of: "-", with: "") }
            else if let found = value(text, after: "IMMEDIATE DEST:") { destination = found.replacingOccurrences(of: "-", with: "") }
            else if let found = value(text, after: "FILE CREATION DATE:") { date = Self.rawDate(monthDayYear: found) }
            else if let found = value(text, after: "FILE CREATION TIME:") { time = found.replacingOccurrences(of: ":", with: "") }
            else if let found = value(text, after: "FILE ID MODIFIER:") { modifier = found }
            else if text.hasPrefix("BATCHES:"), let parts = Self.countAndAmount(text, count: "BATCHES:", amount: "DEBIT:") {
                batchCount = parts.count
                debit = parts.amount
            } else if text.hasPrefix("ENTRY/ADDENDA:"), batches.isEmpty,
                      let parts = Self.countAndAmount(text, count: "ENTRY/ADDENDA:", amount: "CREDITS:") {
                entryCount = parts.count
                credit = parts.amount
            } else if let found = value(text, after: "(NUMBER OF ITEMS REJECTED =") {
                itemsRejected = Int(found.replacingOccurrences(of: ")", with: "").replacingOccurrences(of: ",", with: "").trimmingSpaces)
            } else if let found = value(text, after: "BATCH NUMBER:"), let number = Int(found) {
                batches.append(.init(batchNumber: number, originatingDFI: "", companyName: "", companyID: "", effectiveEntryDate: "",
                                     entryAddendaCount: 0, totalDebit: 0, totalCredit: 0, status: "", messages: []))
            } else if !batches.isEmpty {
                let last = batches.count - 1
                if let found = value(text, after: "ORIGINATING DFI ID:") {
                    batches[last].originatingDFI = found.replacingOccurrences(of: "-", with: "")
                } else if text.hasPrefix("COMPANY NAME:") {
                    let rest = value(text, after: "COMPANY NAME:") ?? ""
                    if let split = rest.range(of: "COMPANY ID:") {
                        batches[last].companyName = String(rest[..<split.lowerBound]).trimmingSpaces
                        batches[last].companyID = String(rest[split.upperBound...]).trimmingSpaces
                    }
                } else if let found = value(text, after: "EFFECTIVE ENTRY DATE:") {
                    batches[last].effectiveEntryDate = found.replacingOccurrences(of: "/", with: "")
                } else if text.hasPrefix("ENTRY/ADDENDA:"), let parts = Self.countAndAmount(text, count: "ENTRY/ADDENDA:", amount: "DEBIT:") {
                    batches[last].entryAddendaCount = parts.count
                    batches[last].totalDebit = parts.amount
                } else if let found = value(text, after: "CREDIT:"), let amount = cents(fromDisplay: found) {
                    batches[last].totalCredit = amount
                } else if let found = value(text, after: "BATCH STATUS:") {
                    batches[last].status = found.replacingOccurrences(of: "–", with: "-")
                }
            }
        }
        guard let status, let origin, let destination, let date, let time, let modifier,
              let batchCount, let entryCount, let debit, let credit,
              ![status, origin, destination, date, time, modifier].contains(where: \.isEmpty) else {
            throw AcknowledgementError("the acknowledgement lacks its status, file identity or control totals")
        }
        return FedACHAcknowledgement(
            fileStatus: .init(status), fileStatusText: status, immediateOrigin: origin, immediateDestination: destination,
            fileCreationDate: date, fileCreationTime: time, fileIDModifier: modifier, batchCount: batchCount,
            entryAddendaCount: entryCount, totalDebit: debit, totalCredit: credit, itemsRejected: itemsRejected,
            fileMessages: fileMessages, batches: batches)
    }

    /// `FH004-INVALID RECORD SIZE` → code and description.
    static func message(_ text: String) -> (code: String, description: String)? {
        let characters = Array(text)
        guard characters.count > 6, characters[0].isUppercase, characters[1].isUppercase,
              characters[2...4].allSatisfy(\.isNumber), characters[5] == "-" else { return nil }
        return (String(characters[0..<5]), String(characters[6...]))
    }

    static func isLabel(_ text: String) -> Bool {
        ["BATCH NUMBER:", "FILE STATUS:", "BATCH STATUS:", "ORIGINATING DFI ID:", "ORIGINATING DFI NAME:", "COMPANY NAME:", "EFFECTIVE ENTRY DATE:",
         "ENTRY/ADDENDA:", "CREDIT:", "---", "****"].contains { text.hasPrefix($0) }
    }

    /// `MM/DD/YY` as shown → the header's raw `YYMMDD`, by moving characters only.
    static func rawDate(monthDayYear text: String) -> String {
        let parts = text.split(separator: "/")
        guard parts.count == 3 else { return text }
        return "\(parts[2])\(parts[0])\(parts[1])"
    }

    /// `BATCHES:           5  DEBIT:   $      168,390.98` → (5, 16839098).
    static func countAndAmount(_ text: String, count label: String, amount amountLabel: String) -> (count: Int, amount: Int64)? {
        guard let countRange = text.range(of: label), let amountRange = text.range(of: amountLabel) else { return nil }
        let countText = text[countRange.upperBound..<amountRange.lowerBound].replacingOccurrences(of: ",", with: "").trimmingSpaces
        guard let count = Int(countText), let amount = cents(fromDisplay: text[amountRange.upperBound...]) else { return nil }
        return (count, amount)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return String(self[first...last])
    }
}
