/// Reads BAI2: joins `88` continuations to their record, parses funds types before locating the
/// references (they change how many fields follow), and verifies every trailer's control total,
/// account count and record count. Any inconsistency is an error: such a file is quarantined, not guessed at.
public struct BAI2Parser: Sendable {
    public init() {}

    /// A logical record: its code, its text with continuations joined, its first physical line, and
    /// how many physical records it spans.
    struct Record {
        var code: String
        var text: String
        var line: Int
        var physical: Int
    }

    public func parse(_ bytes: [UInt8]) throws(BAI2Error) -> BAI2File {
        let records = try logicalRecords(String(decoding: EndOfFileMarker.trimmed(bytes), as: UTF8.self))
        var index = 0
        func next() -> Record? { index < records.count ? records[index] : nil }
        /// The next record, which must be a `code` trailer.
        func take(_ code: String, _ missing: String) throws(BAI2Error) -> Record {
            guard let record = next(), record.code == code else {
                throw BAI2Error(line: next()?.line ?? records.last?.line, missing)
            }
            index += 1
            return record
        }

        guard let header = next(), header.code == "01" else { throw BAI2Error(line: records.first?.line, "a BAI2 file starts with an 01 record") }
        let fileFields = fields(header.text)
        guard fileFields.count >= 9, fileFields[8] == "2" else { throw BAI2Error(line: header.line, "01 record is not BAI version 2") }
        index += 1
        var file = BAI2File(sender: fileFields[1], receiver: fileFields[2], creationDate: fileFields[3], creationTime: fileFields[4],
                            fileID: fileFields[5], groups: [])
        var fileTotal = CheckedTotal()
        var fileRecords = header.physical
        while let groupHeader = next(), groupHeader.code == "02" {
            index += 1
            let g = fields(groupHeader.text)
            guard g.count >= 8 else { throw BAI2Error(line: groupHeader.line, "02 record has \(g.count) fields, needs 8") }
            var group = BAI2File.Group(ultimateReceiver: g[1], originator: g[2], status: g[3], asOfDate: g[4], asOfTime: g[5],
                                       currency: g[6].isEmpty ? "USD" : g[6], accounts: [])
            var groupTotal = CheckedTotal()
            var groupRecords = groupHeader.physical
            while let accountHeader = next(), accountHeader.code == "03" {
                index += 1
                let (account, summaryTotal) = try self.account(accountHeader, currency: group.currency)
                var accountTotal = summaryTotal
                var accountRecords = accountHeader.physical
                var current = account
                while let detail = next(), detail.code == "16" {
                    index += 1
                    let transaction = try self.transaction(detail)
                    try add(transaction.amount ?? 0, to: &accountTotal, "account \(account.number)'s amounts", detail.line)
                    accountRecords += detail.physical
                    current.transactions.append(transaction)
                }
                let trailer = try take("49", "account \(account.number) has no 49 trailer")
                accountRecords += trailer.physical
                try checkTrailer(trailer, [("account control total", accountTotal.value), ("account record count", Int64(accountRecords))])
                try add(accountTotal.value, to: &groupTotal, "group \(group.originator)'s amounts", trailer.line)
                groupRecords += accountRecords
                group.accounts.append(current)
            }
            let trailer = try take("98", "group \(group.originator) has no 98 trailer")
            groupRecords += trailer.physical
            try checkTrailer(trailer, [("group control total", groupTotal.value), ("group account count", Int64(group.accounts.count)),
                                       ("group record count", Int64(groupRecords))])
            try add(groupTotal.value, to: &fileTotal, "the file's amounts", trailer.line)
            fileRecords += groupRecords
            file.groups.append(group)
        }
        let trailer = try take("99", "expected a 02 group or the 99 file trailer")
        fileRecords += trailer.physical
        try checkTrailer(trailer, [("file control total", fileTotal.value), ("file group count", Int64(file.groups.count)),
                                   ("file record count", Int64(fileRecords))])
        if let extra = next() { throw BAI2Error(line: extra.line, "record \(extra.code) after the 99 file trailer") }
        return file
    }

    // MARK: Records

    /// Physical lines into logical records: `88` continues the previous record; after a record that
    /// ended with `/` the next field follows, otherwise (inside a 16's text) the text goes on after a space.
    func logicalRecords(_ text: String) throws(BAI2Error) -> [Record] {
        var records: [Record] = []
        var lineNumber = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            while line.hasSuffix(" ") { line.removeLast() }
            guard !line.isEmpty else { continue }
            let code = String(line.prefix { $0 != "," })
            guard code.count == 2, code.allSatisfy(\.isNumber) else {
                throw BAI2Error(line: lineNumber, "not a BAI2 record (record code \(code.prefix(8)))")
            }
            if code == "88" {
                guard var last = records.popLast() else { throw BAI2Error(line: lineNumber, "88 continuation with nothing to continue") }
                let rest = String(line.dropFirst(3))
                if last.text.hasSuffix("/") {
                    last.text.removeLast()
                    last.text += "," + rest
                } else {
                    last.text += " " + rest
                }
                last.physical += 1
                records.append(last)
            } else {
                records.append(Record(code: code, text: line, line: lineNumber, physical: 1))
            }
        }
        guard !records.isEmpty else { throw BAI2Error(line: nil, "the file is empty") }
        return records
    }

    /// Comma-separated fields of a non-text record, without its `/` terminator.
    func fields(_ text: String) -> [String] {
        var body = Substring(text)
        if body.hasSuffix("/") { body = body.dropLast() }
        return body.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    private func account(_ record: Record, currency: String) throws(BAI2Error) -> (BAI2File.Account, CheckedTotal) {
        var f = fields(record.text)[...]
        f = f.dropFirst()
        guard let number = f.popFirst(), !number.isEmpty else { throw BAI2Error(line: record.line, "03 record has no account number") }
        let accountCurrency = f.popFirst().flatMap { $0.isEmpty ? nil : $0 } ?? currency
        var summaries: [BAI2File.Summary] = []
        var total = CheckedTotal()
        while let typeCode = f.popFirst() {
            if typeCode.isEmpty && f.allSatisfy(\.isEmpty) { break }
            let value = try amount(f.popFirst() ?? "", typeCode: typeCode, line: record.line)
            let count = f.popFirst().flatMap { Int($0) }
            let funds = try fundsType(&f, line: record.line)
            try add(value ?? 0, to: &total, "account \(number)'s summary amounts", record.line)
            summaries.append(.init(typeCode: typeCode, amount: value, itemCount: count, fundsType: funds))
        }
        return (BAI2File.Account(number: number, currency: accountCurrency, summaries: summaries, transactions: []), total)
    }

    private func transaction(_ record: Record) throws(BAI2Error) -> BAI2File.Transaction {
        // The text may itself hold commas: take fields one at a time and keep the rest as text.
        var rest = Substring(record.text)
        func take() -> Substring? {
            guard !rest.isEmpty || rest.startIndex != rest.endIndex else { return nil }
            if let comma = rest.firstIndex(of: ",") {
                let field = rest[..<comma]
                rest = rest[rest.index(after: comma)...]
                return field
            }
            let field = rest
            rest = ""
            return field
        }
        _ = take()
        guard let typeCode = take().map(String.init), !typeCode.isEmpty else { throw BAI2Error(line: record.line, "16 record has no type code") }
        let value = try amount(String(take() ?? ""), typeCode: typeCode, line: record.line)
        var fundsFields: ArraySlice<String> = []
        let fundsCode = String(take() ?? "")
        fundsFields.append(fundsCode)
        switch fundsCode {
        case "V": fundsFields.append(contentsOf: [String(take() ?? ""), String(take() ?? "")])
        case "S": fundsFields.append(contentsOf: [String(take() ?? ""), String(take() ?? ""), String(take() ?? "")])
        case "D":
            let count = String(take() ?? "")
            fundsFields.append(count)
            for _ in 0..<(Int(count) ?? 0) { fundsFields.append(contentsOf: [String(take() ?? ""), String(take() ?? "")]) }
        default: break
        }
        let funds = try fundsType(&fundsFields, line: record.line)
        var bankReference = String(take() ?? "")
        var customerReference = String(take() ?? "")
        var text = String(rest).trimmingSpaces
        // A 16 with no text ends `,/` after the customer reference.
        if text == "/" || text.isEmpty { text = "" }
        if customerReference.hasSuffix("/"), rest.isEmpty { customerReference.removeLast() }
        if bankReference.hasSuffix("/"), rest.isEmpty, customerReference.isEmpty { bankReference.removeLast() }
        return .init(typeCode: typeCode, amount: value, fundsType: funds, bankReference: bankReference,
                     customerReference: customerReference, text: text)
    }

    private func fundsType(_ f: inout ArraySlice<String>, line: Int) throws(BAI2Error) -> BAI2File.FundsType {
        switch f.popFirst() ?? "" {
        case "", "Z": return .unknown
        case "0": return .immediate
        case "1": return .oneDay
        case "2": return .twoOrMoreDays
        case "V": return .valueDated(date: f.popFirst() ?? "", time: f.popFirst() ?? "")
        case "S":
            return .distributed(immediate: try amount(f.popFirst() ?? "", line: line) ?? 0,
                                oneDay: try amount(f.popFirst() ?? "", line: line) ?? 0,
                                twoOrMoreDays: try amount(f.popFirst() ?? "", line: line) ?? 0)
        case "D":
            guard let count = Int(f.popFirst() ?? ""), count >= 0 else { throw BAI2Error(line: line, "funds type D needs a count") }
            var list: [BAI2File.Availability] = []
            for _ in 0..<count {
                guard let days = Int(f.popFirst() ?? ""), let value = try amount(f.popFirst() ?? "", line: line) else {
                    throw BAI2Error(line: line, "funds type D availability is malformed")
                }
                list.append(.init(days: days, amount: value))
            }
            return .distributedByDays(list)
        case let other: throw BAI2Error(line: line, "unknown funds type \(other)")
        }
    }

    /// Adds `amount` to `total`, or refuses the file at `line` when the sum would not fit.
    private func add(_ amount: Int64, to total: inout CheckedTotal, _ what: String, _ line: Int) throws(BAI2Error) {
        guard total.add(amount) else { throw BAI2Error(line: line, "\(what) add up past the largest total metl holds (\(Int64.max) cents)") }
    }

    /// Signed integer amounts; empty is "defaulted".
    private func amount(_ text: String, line: Int) throws(BAI2Error) -> Int64? {
        guard !text.isEmpty else { return nil }
        guard text.utf8.dropFirst(text.hasPrefix("+") || text.hasPrefix("-") ? 1 : 0).allSatisfy({ (0x30...0x39).contains($0) }),
              let value = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
            throw BAI2Error(line: line, "amount \(text.prefix(24)) is not a number that fits 64 bits")
        }
        return value
    }

    /// Whether a type code's amount may be negative: only status (balance) codes, 001-099 and the
    /// bilateral 900-919; summary and detail amounts are unsigned, their direction is the code's.
    static func allowsNegativeAmount(typeCode: String) -> Bool {
        guard let code = Int(typeCode) else { return false }
        return (1...99).contains(code) || (900...919).contains(code)
    }

    /// An amount of `typeCode`, refused when it is negative and the code does not allow a sign.
    private func amount(_ text: String, typeCode: String, line: Int) throws(BAI2Error) -> Int64? {
        let value = try amount(text, line: line)
        if let value, value < 0, !Self.allowsNegativeAmount(typeCode: typeCode) {
            throw BAI2Error(line: line, "type code \(typeCode) has the negative amount \(value); only status amounts are signed, "
                            + "a detail's or summary's direction is its type code's")
        }
        return value
    }

    /// A trailer's fields after its record code — the (signed) control total, then counts — against
    /// the values the records add up to, in order.
    private func checkTrailer(_ trailer: Record, _ expected: [(what: String, value: Int64)]) throws(BAI2Error) {
        let values = fields(trailer.text).dropFirst()
        for (offset, item) in expected.enumerated() {
            let text = values.count > offset ? values[values.startIndex + offset] : nil
            let declared = try text.flatMap { text throws(BAI2Error) in offset == 0 ? try amount(text, line: trailer.line) : Int64(text) }
            try check(declared, equals: item.value, item.what, trailer)
        }
    }

    private func check(_ declared: Int64?, equals computed: Int64, _ what: String, _ record: Record) throws(BAI2Error) {
        guard let declared else { throw BAI2Error(line: record.line, "\(record.code) record lacks its \(what)") }
        guard declared == computed else {
            throw BAI2Error(line: record.line, "\(what) is \(declared); the records add up to \(computed)")
        }
    }
}
