import Foundation
import BankFiles
import NACHA
import Payments

/// Bank files the tests write themselves for files we sent: FedACH acknowledgements (raw pages or
/// reconstructed lines), BAI2 settlement reports and NACHA return/NOC files.
public enum BankFileFixtures {
    public enum AckForm: Sendable, CaseIterable { case raw, lines }

    static func dashed(_ routing: String) -> String {
        let digits = Array(routing)
        guard digits.count == 9 else { return routing }
        return "\(String(digits[0..<4]))-\(String(digits[4..<8]))-\(digits[8])"
    }

    static func money(_ cents: Int64) -> String {
        Dollars.format(cents).replacingOccurrences(of: "$", with: "")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// An acknowledgement of `file` with `status`; `rejectedBatches` get a batch section with BH232.
    public static func acknowledgement(of file: OutboundFile, status: String = "FILE ACCEPTED WITH NO ERRORS",
                                       rejectedBatches: [(number: Int, entries: Int, debit: Int64, credit: Int64)] = [],
                                       fileMessages: [String] = [], form: AckForm = .lines,
                                       batchCount: Int? = nil, totalCredit: Int64? = nil) -> [UInt8] {
        // Another kind of file gets an acknowledgement no file matches.
        let nacha = file.nacha ?? NACHAFileIdentity(immediateOrigin: "", immediateDestination: "", creationDate: ACHDate(year: 2000, month: 1, day: 1),
                                                    creationTime: ACHTime(hour: 0, minute: 0), fileIDModifier: "", batchCount: 0,
                                                    entryAddendaCount: 0, entryHash: 0)
        let date = nacha.creationDate
        let created = String(format: "%02d/%02d/%02d", date.month, date.day, date.year % 100)
        let time = String(format: "%02d:%02d", nacha.creationTime.hour, nacha.creationTime.minute)
        var lines: [(Character, String)] = [
            ("1", "          ******  ACKNOWLEDGEMENT OF ACH FILE DEPOSITS  ******"),
            ("2", "SERVICING FRB: FEDERAL RESERVE BANK                    REPORT DATE AND TIME:"),
            ("3", "                                                             \(created) 16:00:00"),
            ("4", "FILE STATUS: \(status)"), ("Z", ""),
            ("5", "IMMEDIATE ORIGIN NAME:  METL"), ("6", "IMMEDIATE ORIGIN:       \(dashed(nacha.immediateOrigin))"),
            ("7", "IMMEDIATE DEST:         \(dashed(nacha.immediateDestination))"), ("8", "FILE CREATION DATE:     \(created)"),
            ("9", "FILE CREATION TIME:     \(time)"), ("A", "FILE ID MODIFIER:       \(nacha.fileIDModifier)"),
            ("B", "FILE PROCESS DATE AND TIME: \(created) 16:00"), ("Z", ""),
            ("C", "---------------------COUNT-----------------AMOUNT--------"), ("Z", ""),
            ("D", "    BATCHES:    \(pad(String(batchCount ?? nacha.batchCount), 8))  DEBIT:   $\(pad(money(file.totalDebit), 16))"),
            ("E", "ENTRY/ADDENDA:  \(pad(String(nacha.entryAddendaCount), 8))  CREDITS: $\(pad(money(totalCredit ?? file.totalCredit), 16))"),
            ("Z", ""), ("F", "---------------------------------------------------------"), ("Z", ""),
            ("G", "FILE STATUS: \(status)"), ("H", ""),
        ]
        if fileMessages.isEmpty {
            lines += [("I", ""), ("J", ""), ("K", "")]
        }
        for message in fileMessages { lines += [("I", message), ("J", "DETAIL FOR \(message.prefix(5))"), ("K", ""), ("Z", "")] }
        lines.append(("L", rejectedBatches.isEmpty ? "************************** END OF ACKNOWLEDGEMENT *************************" : ""))
        for batch in rejectedBatches {
            lines += [
                ("Z", ""), ("M", "BATCH NUMBER:  \(String(format: "%07d", batch.number))"),
                ("N", "  ORIGINATING DFI ID:    \(dashed(nacha.immediateOrigin))"), ("O", "  ORIGINATING DFI NAME:"),
                ("P", "  COMPANY NAME:          METL              COMPANY ID:  1234567890"), ("Q", "  EFFECTIVE ENTRY DATE:  26/11/23"),
                ("R", "---------------------COUNT-----------------AMOUNT--------"), ("Z", ""),
                ("S", "ENTRY/ADDENDA:  \(pad(String(batch.entries), 5))      DEBIT:   $\(pad(money(batch.debit), 16))"),
                ("T", "                           CREDIT:  $\(pad(money(batch.credit), 16))"), ("Z", ""),
                ("U", "---------------------------------------------------------"), ("V", "BATCH STATUS:  BATCH REJECTED"), ("Z", ""),
                ("W", "BH232-INVALID ORIGINATING DFI IDENTIFICATION NOT AUTHORIZED TO ORIGINATE"),
                ("X", "ORIGINATING DFI IDENTIFICATION = \(nacha.immediateOrigin) IN BATCH \(String(format: "%07d", batch.number))"),
            ]
        }
        if !rejectedBatches.isEmpty { lines.append(("Y", "************************** END OF ACKNOWLEDGEMENT *************************")) }
        switch form {
        case .lines:
            return Array(("AJ001A01A08052\n" + lines.map(\.1).joined(separator: "\n")).utf8)
        case .raw:
            var bytes: [UInt8] = []
            for start in stride(from: 0, to: lines.count, by: 52) {
                var page = "        AJ001A01A08052  "
                for index in 0..<52 {
                    let (type, text) = start + index < lines.count ? lines[start + index] : ("Z", "")
                    page += String(type) + text.padding(toLength: 80, withPad: " ", startingAt: 0)
                }
                bytes += Array((page + "\n").utf8)
            }
            return bytes
        }
    }

    /// A prior-day BAI2 report with one ACH settlement detail per batch: `(typeCode, amount)`.
    public static func settlement(asOf date: ACHDate, details: [(typeCode: String, amount: Int64)]) -> [UInt8] {
        report(asOf: date, account: "9876543210", details: details.map { ($0.typeCode, $0.amount, "1234567890", "ACH SETTLEMENT") })
    }

    /// A prior-day BAI2 report of checks paid (`475`, the serial as customer reference) from `account`.
    public static func paidChecks(asOf date: ACHDate, account: String, checks: [(serial: String, amount: Int64)]) -> [UInt8] {
        report(asOf: date, account: account, details: checks.map { ("475", $0.amount, $0.serial, "CHECK PAID") })
    }

    static func report(asOf date: ACHDate, account: String,
                       details: [(typeCode: String, amount: Int64, customerReference: String, text: String)]) -> [UInt8] {
        let asOf = String(format: "%02d%02d%02d", date.year % 100, date.month, date.day)
        var records = ["01,121042882,METL,\(asOf),0600,1,,,2/", "02,METL,121042882,1,\(asOf),2400,USD,2/",
                       "03,\(account),USD,010,1000000,,/"]
        var total: Int64 = 1_000_000
        for (index, detail) in details.enumerated() {
            records.append("16,\(detail.typeCode),\(detail.amount),0,ACH\(asOf)\(index),\(detail.customerReference),\(detail.text)")
            total += detail.amount
        }
        let accountRecords = 2 + details.count
        records.append("49,\(total),\(accountRecords)/")
        records.append("98,\(total),1,\(accountRecords + 2)/")
        records.append("99,\(total),1,\(accountRecords + 4)/")
        return Array(records.joined(separator: "\n").utf8)
    }

    /// The bank's ARP output for `records`: layout A, CRLF.
    public static func arpOutput(_ records: [ARPRecord]) throws -> [UInt8] {
        try ARPFile.render(records, expandedLength: nil)
    }

    /// A return file for `payments` (each with its trace number and reason), as their RDFI would send it.
    public static func returns(_ items: [(payment: Payment, trace: Int, code: String)], modifier: String = "R") throws -> [UInt8] {
        let rdfi = 9_100_001
        var trace = 0
        let entries = items.map { item -> Entry in
            trace += 1
            let credit = item.payment.direction == .credit
            let code = TransactionCode(rawValue: (item.payment.counterparty.accountType == .savings ? 30 : 20) + (credit ? 1 : 6))
            return Entry(EntryDetail(transactionCode: code, routingNumber: "121042882", accountNumber: item.payment.counterparty.accountNumber,
                                     amount: item.payment.amount, individualName: item.payment.counterparty.name,
                                     traceNumber: rdfi * 10_000_000 + trace),
                         addenda: [.returnEntry(.init(returnReasonCode: item.code, originalTraceNumber: item.trace,
                                                      originalReceivingDFI: Int(item.payment.counterparty.routingNumber.prefix(8)) ?? 0,
                                                      information: "RETURNED"))])
        }
        return try Writer().render(file(entries: entries, sec: .ppd, rdfi: rdfi, modifier: modifier))
    }

    /// A NOC file: one COR entry per item with its change code and corrected data.
    public static func notificationsOfChange(_ items: [(payment: Payment, trace: Int, code: String, corrected: String)]) throws -> [UInt8] {
        let rdfi = 9_100_001
        var trace = 0
        let entries = items.map { item -> Entry in
            trace += 1
            return Entry(EntryDetail(transactionCode: TransactionCode(rawValue: 21), routingNumber: "121042882",
                                     accountNumber: item.payment.counterparty.accountNumber, amount: 0,
                                     individualName: item.payment.counterparty.name, traceNumber: rdfi * 10_000_000 + trace),
                         addenda: [.notificationOfChange(.init(changeCode: item.code, originalTraceNumber: item.trace,
                                                               originalReceivingDFI: Int(item.payment.counterparty.routingNumber.prefix(8)) ?? 0,
                                                               correctedData: item.corrected))])
        }
        return try Writer().render(file(entries: entries, sec: .cor, rdfi: rdfi, modifier: "N"))
    }

    static func file(entries: [Entry], sec: StandardEntryClass, rdfi: Int, modifier: String) -> ACHFile {
        ACHFile(header: FileHeader(immediateDestination: "121042882", immediateOrigin: "091000019",
                                   creationDate: ACHDate(year: 2026, month: 11, day: 25), creationTime: ACHTime(hour: 6, minute: 0),
                                   fileIDModifier: modifier, immediateDestinationName: "METL", immediateOriginName: "RDFI"),
                batches: [Batch(header: BatchHeader(companyName: "METL DEMO INC", companyIdentification: "1234567890",
                                                    standardEntryClass: sec, companyEntryDescription: "PAYROLL",
                                                    effectiveEntryDate: ACHDate(year: 2026, month: 11, day: 24),
                                                    settlementDate: "328", originatingDFI: rdfi, batchNumber: 1),
                                entries: entries)])
    }
}
