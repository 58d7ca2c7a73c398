/// The CSV issue file community-bank portals take: `action,account,serial,issue_date,amount,payee`,
/// no header row, one account per file, the date `MMDDYYYY` and the amount with a decimal point.
public enum PositivePayCSV {
    public struct Row: Sendable, Hashable {
        /// `I` issue or `V` void.
        public var action: String
        public var accountNumber: String
        public var serial: String
        /// `MMDDYYYY`.
        public var issueDate: String
        public var amount: Int64
        public var payee: String

        public init(action: String, accountNumber: String, serial: String, issueDate: String, amount: Int64, payee: String) {
            self.action = action
            self.accountNumber = accountNumber
            self.serial = serial
            self.issueDate = issueDate
            self.amount = amount
            self.payee = payee
        }
    }

    public static func render(_ rows: [Row]) throws(PositivePayFormatError) -> [UInt8] {
        var text = ""
        for (index, row) in rows.enumerated() {
            let fields = [row.action, row.accountNumber, row.serial, row.issueDate, row.payee]
            guard ["I", "V"].contains(row.action), FixedWidth.isDigits(row.accountNumber), FixedWidth.isDigits(row.serial),
                  row.issueDate.utf8.count == 8, FixedWidth.isDigits(row.issueDate), row.amount >= 0,
                  fields.allSatisfy({ !$0.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 < 0x20 || $0 >= 0x7F } }) else {
                throw PositivePayFormatError(.unrepresentable, line: index + 1, "the row does not fit the CSV issue layout")
            }
            let cents = row.amount % 100
            text += "\(row.action),\(row.accountNumber),\(row.serial),\(row.issueDate),\(row.amount / 100).\(cents < 10 ? "0" : "")\(cents),\(row.payee)\r\n"
        }
        return Array(text.utf8)
    }

    public static func parse(_ bytes: [UInt8]) throws(PositivePayFormatError) -> [Row] {
        var rows: [Row] = []
        for (index, line) in FixedWidth.lines(bytes).enumerated() {
            let fields = line.split(separator: 0x2C, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            func fail(_ message: String) -> PositivePayFormatError { PositivePayFormatError(.malformedRecord, line: index + 1, message) }
            guard fields.count == 6 else { throw fail("has \(fields.count) fields; the CSV issue layout has 6") }
            let amount = fields[4].split(separator: ".", omittingEmptySubsequences: false)
            guard ["I", "V"].contains(fields[0]) else { throw fail("the action must be I or V") }
            guard FixedWidth.isDigits(fields[1]), FixedWidth.isDigits(fields[2]) else { throw fail("account and serial must be digits") }
            guard fields[3].utf8.count == 8, FixedWidth.isDigits(fields[3]) else { throw fail("the issue date must be MMDDYYYY") }
            guard amount.count == 2, amount[1].count == 2, FixedWidth.isDigits(amount[0]), FixedWidth.isDigits(amount[1]),
                  let dollars = Int64(amount[0]), let cents = Int64(amount[1]) else {
                throw fail("the amount must be dollars and two decimals (1234.56)")
            }
            rows.append(Row(action: fields[0], accountNumber: fields[1], serial: fields[2], issueDate: fields[3],
                            amount: dollars * 100 + cents, payee: fields[5]))
        }
        return rows
    }
}
