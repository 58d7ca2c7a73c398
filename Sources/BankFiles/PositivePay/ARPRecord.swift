/// One record of layout A, "ARP standard" (94 characters; with payee match an expanded additional
/// data field follows). The same shape goes both ways: issue files from the company (`I`, `V`,
/// `S`) and the bank's output (`P` paid, `R` reconciled, `O` outstanding, `V` voided, `S` stopped).
public struct ARPRecord: Sendable, Hashable {
    public enum Code: UInt8, Sendable, Hashable, CaseIterable {
        case issue = 0x49        // I
        case void = 0x56         // V: a void to make, or (from the bank) voided
        case stop = 0x53         // S
        case paid = 0x50         // P
        case reconciled = 0x52   // R
        case outstanding = 0x4F  // O

        /// The record type as a sentence names it.
        public var name: String {
            switch self {
            case .issue: "an issue (I)"
            case .void: "a void (V)"
            case .stop: "a stop (S)"
            case .paid: "a paid (P)"
            case .reconciled: "a reconciled (R)"
            case .outstanding: "an outstanding (O)"
            }
        }
    }

    public var code: Code
    /// Digits, without the zero fill.
    public var accountNumber: String
    /// Digits, without the zero fill.
    public var serial: String
    /// Cents.
    public var amount: Int64
    /// `YYYYMMDD`.
    public var issueDate: String
    /// `YYYYMMDD` on output records; nil on input.
    public var paidDate: String?
    /// Positions 80–94: on input often the payee's first 15 characters; on output the bank's reference.
    public var additionalData: String
    /// Positions 95 onward, when the profile has them (payee match).
    public var expandedAdditionalData: String?

    public init(code: Code, accountNumber: String, serial: String, amount: Int64, issueDate: String, paidDate: String? = nil,
                additionalData: String = "", expandedAdditionalData: String? = nil) {
        self.code = code
        self.accountNumber = accountNumber
        self.serial = serial
        self.amount = amount
        self.issueDate = issueDate
        self.paidDate = paidDate
        self.additionalData = additionalData
        self.expandedAdditionalData = expandedAdditionalData
    }

    public static let length = 94

    /// The record's characters: 94, plus `expandedLength` when the profile has the expanded field.
    public func rendered(expandedLength: Int?) throws(PositivePayFormatError) -> String {
        func fail(_ field: String) -> PositivePayFormatError {
            PositivePayFormatError(.unrepresentable, line: 0, "\(field) does not fit layout A")
        }
        guard let account = FixedWidth.zeroFilled(accountNumber, 20) else { throw fail("the account number") }
        guard let serial = FixedWidth.zeroFilled(serial, 18), FixedWidth.isDigits(self.serial) else { throw fail("the serial") }
        guard let amount = FixedWidth.zeroFilled(amount, 18) else { throw fail("the amount") }
        guard FixedWidth.isDate(yyyymmdd: issueDate) else { throw fail("the issue date") }
        let paid = paidDate ?? "        "
        guard paidDate == nil || FixedWidth.isDate(yyyymmdd: paid) else { throw fail("the paid date") }
        guard let additional = FixedWidth.spaceFilled(additionalData, 15) else { throw fail("the additional data") }
        var record = "\(Character(Unicode.Scalar(code.rawValue))) \(account) \(serial) \(amount) \(issueDate) \(paid) \(additional)"
        if let expandedLength {
            guard let expanded = FixedWidth.spaceFilled(expandedAdditionalData ?? "", expandedLength) else {
                throw fail("the expanded additional data")
            }
            record += expanded
        }
        return record
    }

    /// Reads one record; `number` is its line, for the error.
    public static func parse(_ line: [UInt8], number: Int) throws(PositivePayFormatError) -> ARPRecord {
        func fail(_ message: String) -> PositivePayFormatError { PositivePayFormatError(.malformedRecord, line: number, message) }
        guard line.count >= length else { throw fail("is \(line.count) characters; layout A records are \(length)") }
        guard let code = Code(rawValue: line[0]) else { throw fail("record type \(FixedWidth.field(line, 1, 1)) is not one of I, V, S, P, R, O") }
        for position in [2, 23, 42, 61, 70, 79] where line[position - 1] != 0x20 {
            throw fail("position \(position) must be a space")
        }
        let account = FixedWidth.field(line, 3, 22), serial = FixedWidth.field(line, 24, 41), amount = FixedWidth.field(line, 43, 60)
        let issued = FixedWidth.field(line, 62, 69), paid = FixedWidth.field(line, 71, 78)
        guard FixedWidth.isDigits(account) else { throw fail("the account number (3-22) must be digits") }
        guard FixedWidth.isDigits(serial) else { throw fail("the serial (24-41) must be digits") }
        guard FixedWidth.isDigits(amount), let cents = Int64(amount) else { throw fail("the amount (43-60) must be digits") }
        guard FixedWidth.isDate(yyyymmdd: issued) else { throw fail("the issue date (62-69) must be a date YYYYMMDD") }
        let paidDate: String?
        if paid == "        " {
            paidDate = nil
        } else {
            guard FixedWidth.isDate(yyyymmdd: paid) else { throw fail("the paid date (71-78) must be a date YYYYMMDD or blank") }
            paidDate = paid
        }
        if code == .paid, paidDate == nil { throw fail("a paid (P) record needs its paid date (71-78)") }
        let expanded = line.count > length ? FixedWidth.field(line, 95, line.count) : nil
        return ARPRecord(code: code, accountNumber: String(account.drop { $0 == "0" }), serial: String(serial.drop { $0 == "0" }),
                         amount: cents, issueDate: issued, paidDate: paidDate, additionalData: FixedWidth.trimmingTrailingSpaces(FixedWidth.field(line, 80, 94)),
                         expandedAdditionalData: expanded.map(FixedWidth.trimmingTrailingSpaces))
    }
}

/// A whole layout-A file: records, one per line, CRLF after each; no header or trailer.
public enum ARPFile {
    public static func render(_ records: [ARPRecord], expandedLength: Int?) throws(PositivePayFormatError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * (ARPRecord.length + (expandedLength ?? 0) + 2))
        for (index, record) in records.enumerated() {
            do {
                bytes += Array(try record.rendered(expandedLength: expandedLength).utf8)
            } catch {
                throw PositivePayFormatError(error.code, line: index + 1, error.message)
            }
            bytes += [0x0D, 0x0A]
        }
        return bytes
    }

    /// Every record with its line; the first malformed one refuses the file.
    public static func parse(_ bytes: [UInt8]) throws(PositivePayFormatError) -> [(line: Int, record: ARPRecord)] {
        var records: [(line: Int, record: ARPRecord)] = []
        for (index, line) in FixedWidth.lines(bytes).enumerated() {
            records.append((index + 1, try ARPRecord.parse(line, number: index + 1)))
        }
        guard !records.isEmpty else { throw PositivePayFormatError(.malformedRecord, line: 0, "the file has no records") }
        return records
    }

    /// Whether these first bytes look like layout A: the first line a record type, a space, and
    /// digits at the account and serial positions. A line a few characters short still is layout A,
    /// so that the reader can say what is wrong with it rather than call the file unknown.
    public static func looksLike(_ head: some Collection<UInt8>) -> Bool {
        let line = Array(head.prefix { $0 != 0x0A && $0 != 0x0D })
        guard line.count >= 61, ARPRecord.Code(rawValue: line[0]) != nil else { return false }
        return [2, 23, 42].allSatisfy { line[$0 - 1] == 0x20 } && FixedWidth.isDigits(FixedWidth.field(line, 3, 22))
            && FixedWidth.isDigits(FixedWidth.field(line, 24, 41))
    }
}
