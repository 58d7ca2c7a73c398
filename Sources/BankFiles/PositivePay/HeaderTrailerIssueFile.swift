/// Layout B: one header per account (`*03`, bank number, account), 85-character details, and a
/// trailer (`&`) with the detail count and total in cents that the bank checks before loading the
/// file; a mismatch rejects the whole file, so `parse` refuses one too. Every record is padded to
/// 85 characters, CRLF after each.
public struct HeaderTrailerIssueFile: Sendable, Hashable {
    public struct Detail: Sendable, Hashable {
        /// Digits, without the zero fill.
        public var serial: String
        /// `MMDDYY`.
        public var issueDate: String
        /// The bank's code for what the record does (e.g. `320` issue, `370` void).
        public var transactionCode: String
        public var amount: Int64
        public var payee: String

        public init(serial: String, issueDate: String, transactionCode: String, amount: Int64, payee: String) {
            self.serial = serial
            self.issueDate = issueDate
            self.transactionCode = transactionCode
            self.amount = amount
            self.payee = payee
        }
    }

    /// 5 digits.
    public var bankNumber: String
    /// Digits, without the zero fill.
    public var accountNumber: String
    public var details: [Detail]

    public init(bankNumber: String, accountNumber: String, details: [Detail]) {
        self.bankNumber = bankNumber
        self.accountNumber = accountNumber
        self.details = details
    }

    public static let recordLength = 85

    /// What one file's trailer holds: 7 digits of count, 13 of total.
    public static let maximumDetails = 9_999_999
    public static let maximumTotal: Int64 = 9_999_999_999_999

    /// The sum of the details' amounts; nil when it does not fit 64 bits.
    public var total: Int64? { CheckedTotal.sum(details.map(\.amount)) }

    public func render() throws(PositivePayFormatError) -> [UInt8] {
        func fail(_ line: Int, _ field: String) -> PositivePayFormatError {
            PositivePayFormatError(.unrepresentable, line: line, "\(field) does not fit layout B")
        }
        func padded(_ record: String) -> String { record + String(repeating: " ", count: Self.recordLength - record.utf8.count) }
        guard FixedWidth.isDigits(bankNumber), bankNumber.utf8.count == 5 else { throw fail(1, "the bank number") }
        guard let account = FixedWidth.zeroFilled(accountNumber, 15) else { throw fail(1, "the account number") }
        var lines = [padded("*03\(bankNumber)\(account)0")]
        for (index, detail) in details.enumerated() {
            let line = index + 2
            guard let serial = FixedWidth.zeroFilled(detail.serial, 10), FixedWidth.isDigits(detail.serial) else { throw fail(line, "the serial") }
            guard detail.issueDate.utf8.count == 6, FixedWidth.isDigits(detail.issueDate) else { throw fail(line, "the issue date") }
            guard detail.transactionCode.utf8.count == 3, FixedWidth.isDigits(detail.transactionCode) else {
                throw fail(line, "the transaction code")
            }
            guard let amount = FixedWidth.zeroFilled(detail.amount, 10) else { throw fail(line, "the amount") }
            guard let payee = FixedWidth.spaceFilled(detail.payee, 40) else { throw fail(line, "the payee") }
            lines.append(padded("\(serial)\(detail.issueDate)\(account)\(detail.transactionCode)\(amount)\(payee)"))
        }
        guard let count = FixedWidth.zeroFilled(Int64(details.count), 7) else { throw fail(details.count + 2, "the detail count") }
        guard let total = total.flatMap({ FixedWidth.zeroFilled($0, 13) }) else { throw fail(details.count + 2, "the total") }
        lines.append(padded("&" + String(repeating: " ", count: 14) + count + "   " + total))
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// Reads a one-account file back, checking every record's shape and the trailer's count and total.
    public static func parse(_ bytes: [UInt8]) throws(PositivePayFormatError) -> HeaderTrailerIssueFile {
        let lines = FixedWidth.lines(bytes)
        func fail(_ line: Int, _ message: String) -> PositivePayFormatError { PositivePayFormatError(.malformedRecord, line: line, message) }
        guard lines.count >= 2 else { throw fail(0, "a layout B file has a header and a trailer at least") }
        for (index, line) in lines.enumerated() where line.count != recordLength {
            throw fail(index + 1, "is \(line.count) characters; layout B records are \(recordLength)")
        }
        let header = lines[0]
        guard FixedWidth.field(header, 1, 3) == "*03", FixedWidth.field(header, 24, 24) == "0" else {
            throw fail(1, "the header must start *03 and have 0 at position 24")
        }
        let bank = FixedWidth.field(header, 4, 8), account = FixedWidth.field(header, 9, 23)
        guard FixedWidth.isDigits(bank), FixedWidth.isDigits(account) else { throw fail(1, "the bank and account numbers must be digits") }
        var details: [Detail] = []
        for (index, line) in lines.dropFirst().dropLast().enumerated() {
            let number = index + 2
            let serial = FixedWidth.field(line, 1, 10), date = FixedWidth.field(line, 11, 16), detailAccount = FixedWidth.field(line, 17, 31)
            let code = FixedWidth.field(line, 32, 34), amount = FixedWidth.field(line, 35, 44)
            guard FixedWidth.isDigits(serial), FixedWidth.isDigits(date), FixedWidth.isDigits(code), FixedWidth.isDigits(amount),
                  let cents = Int64(amount) else {
                throw fail(number, "serial, issue date, transaction code and amount must be digits")
            }
            guard detailAccount == account else { throw fail(number, "the detail's account is not the header's") }
            let payee = FixedWidth.field(line, 45, 84)
            details.append(Detail(serial: String(serial.drop { $0 == "0" }), issueDate: date, transactionCode: code, amount: cents,
                                  payee: FixedWidth.trimmingTrailingSpaces(payee)))
        }
        let trailer = lines[lines.count - 1], number = lines.count
        let count = FixedWidth.field(trailer, 16, 22), total = FixedWidth.field(trailer, 26, 38)
        guard FixedWidth.field(trailer, 1, 1) == "&", FixedWidth.isDigits(count), FixedWidth.isDigits(total) else {
            throw fail(number, "the trailer must start & with the count at 16-22 and the total at 26-38")
        }
        let file = HeaderTrailerIssueFile(bankNumber: bank, accountNumber: String(account.drop { $0 == "0" }), details: details)
        guard Int(count) == details.count, let computed = file.total, Int64(total) == computed else {
            throw PositivePayFormatError(.controlMismatch, line: number,
                                         "the trailer says \(Int(count) ?? 0) details totalling \(Int64(total) ?? 0) cents; the file has "
                                         + "\(details.count) totalling " + (file.total.map { "\($0)" } ?? "more than 64 bits hold"))
        }
        return file
    }
}
