import BankFiles
import Foundation
import NACHA
import Payments

/// The renderer for Positive Pay issue files: one file per enrolled account per run, in the
/// account's layout (ARP layout A, header/trailer layout B, or CSV), carrying its new checks'
/// issue records and its requested voids. The bytes are read back with the layout's strict
/// reader and compared with what was meant, record by record (layout B's trailer count and total
/// included), before anything is archived. A file's `totalDebit` is what its issued checks will
/// draw; voids add nothing.
public struct PositivePayFileRenderer: OutboundRenderer {
    /// What a bank's sheet sets for these files.
    public struct Settings: Sendable, Hashable {
        public var filenames: FilenameTemplate
        /// Layout B's 5-digit bank number.
        public var bankNumber: String
        /// Layout B's transaction codes.
        public var issueCode: String
        public var voidCode: String
        /// The bank profile's time zone: the date and time in file names, as for every kind.
        public var timeZone: TimeZone

        public init(filenames: FilenameTemplate = .defaultPositivePay, bankNumber: String = "00000", issueCode: String = "320",
                    voidCode: String = "370", timeZone: TimeZone = .current) {
            self.filenames = filenames
            self.timeZone = timeZone
            self.bankNumber = bankNumber
            self.issueCode = issueCode
            self.voidCode = voidCode
        }
    }

    /// One account's records.
    public struct FilePlan: Sendable {
        public var account: CheckAccount
        public var records: [PendingCheckRecord]
    }

    /// A record's place in the file.
    public struct Binding: Sendable, Hashable {
        public var checkID: String
        public var action: PendingCheckRecord.Action
        public var line: Int
    }

    public let kind = OutboundFileKind.positivePay
    public let carries = CarriedItems.checkRecords
    public let archiveExtension = "txt"
    let settings: Settings

    public init(settings: Settings = .init()) {
        self.settings = settings
    }

    public func collect(from store: any LedgerStore, at now: Date) async throws(PipelineError) -> [PendingCheckRecord] {
        try await storageStep { try await store.pendingCheckRecords(limit: 10_000_000) }
    }

    /// One file per account, split where a layout's trailer could not hold the file's count or
    /// total (as the NACHA writer splits at its limits): no run is blocked by a sum that does not fit.
    public func files(from items: [PendingCheckRecord], at now: Date) -> [FilePlan] {
        var byAccount: [String: [PendingCheckRecord]] = [:]
        for item in items { byAccount[item.account.id, default: []].append(item) }
        return byAccount.keys.sorted().flatMap { id -> [FilePlan] in
            let records = byAccount[id] ?? []
            guard let account = records.first?.account else { return [] }
            // Only layout B has a trailer; its amounts are at most 10 digits, so one always fits a file.
            guard account.layout == .headerTrailer else { return [FilePlan(account: account, records: records)] }
            var files: [FilePlan] = []
            var current: [PendingCheckRecord] = []
            var total = CheckedTotal()
            for record in records {
                var next = total
                let fits = next.add(record.check.amount) && next.value <= HeaderTrailerIssueFile.maximumTotal
                    && current.count < HeaderTrailerIssueFile.maximumDetails
                if !fits, !current.isEmpty {
                    files.append(FilePlan(account: account, records: current))
                    current = []
                    next = CheckedTotal()
                    next.add(record.check.amount)
                }
                total = next
                current.append(record)
            }
            if !current.isEmpty { files.append(FilePlan(account: account, records: current)) }
            return files
        }
    }

    public func count(in file: FilePlan) -> Int { file.records.count }

    public func render(_ file: FilePlan, created: Date, store: any OutboundFileStore) async throws(PipelineError) -> RenderedFile<Binding> {
        try render(file, created: created)
    }

    public func preview(_ files: [FilePlan], created: Date, store: any OutboundFileStore) async throws(PipelineError) -> [(name: String, bytes: [UInt8])] {
        try files.map { file throws(PipelineError) in
            let rendered = try render(file, created: created)
            return (rendered.file.name, rendered.bytes)
        }
    }

    public func record(_ file: OutboundFile, bindings: [Binding], of plan: FilePlan, store: any LedgerStore) async throws(PipelineError) {
        var checks: [String: CheckIssue] = [:]
        for record in plan.records { checks[record.check.id] = record.check }
        var planner = CheckPlanner(now: file.createdAt, endpoints: [:])
        for binding in bindings {
            guard let check = checks[binding.checkID] else {
                throw PipelineError(.internal, "the positive-pay renderer bound check \(binding.checkID), which it was not given")
            }
            do throws(PaymentError) {
                switch binding.action {
                case .issue: try planner.bindIssue(check, fileID: file.id, line: binding.line)
                case .void: try planner.bindVoid(check, fileID: file.id, line: binding.line)
                }
            } catch {
                throw PipelineError(.internal, error.message)
            }
        }
        let plan = planner.plan
        try await storageStep { try await store.recordRenderedFile(file, checks: plan) }
    }

    private func render(_ plan: FilePlan, created: Date) throws(PipelineError) -> RenderedFile<Binding> {
        let account = plan.account
        let records = plan.records
        let firstLine = account.layout == .headerTrailer ? 2 : 1
        let bindings = records.enumerated().map { Binding(checkID: $1.check.id, action: $1.action, line: firstLine + $0) }
        let bytes: [UInt8]
        do throws(PositivePayFormatError) {
            bytes = try Self.bytes(records, account: account, settings: settings)
            try Self.verify(bytes, records, account: account, settings: settings)
        } catch {
            throw PipelineError(.invalidFile, "the \(account.layout) issue file for account \(account.maskedAccountNumber) failed validation: \(error)")
        }
        let id = Identifier.make(prefix: OutboundFile.idPrefix, at: created)
        let name = settings.filenames.name(date: ACHDate(created, in: settings.timeZone), time: ACHTime(created, in: settings.timeZone), id: id, fields: [
            "account4": String(account.accountNumber.suffix(4)), "layout": account.layout.rawValue,
        ])
        guard let drawn = CheckedTotal.sum(records.filter { $0.action == .issue }.map(\.check.amount)) else {
            throw PipelineError(.invalidFile, "the issue file for account \(account.maskedAccountNumber) draws more than a total holds")
        }
        let file = OutboundFile(id: id, kind: kind, name: name, sha256: Archive.sha256(bytes), size: Int64(bytes.count), status: .rendered,
                                entryCount: records.count, totalDebit: drawn, totalCredit: 0, archivePath: "", createdAt: created,
                                updatedAt: created)
        return RenderedFile(file: file, bytes: bytes, bindings: bindings)
    }

    // MARK: Layouts

    private static func bytes(_ records: [PendingCheckRecord], account: CheckAccount,
                              settings: Settings) throws(PositivePayFormatError) -> [UInt8] {
        switch account.layout {
        case .arp:
            return try ARPFile.render(records.map { arp($0, account) }, expandedLength: account.payeeMatch ? 80 : nil)
        case .headerTrailer:
            return try HeaderTrailerIssueFile(bankNumber: settings.bankNumber, accountNumber: account.accountNumber,
                                              details: records.map { detail($0, settings) }).render()
        case .csv:
            return try PositivePayCSV.render(records.map { row($0, account) })
        }
    }

    /// Reads the bytes back with the layout's strict reader: every record must be the one meant.
    private static func verify(_ bytes: [UInt8], _ records: [PendingCheckRecord], account: CheckAccount,
                               settings: Settings) throws(PositivePayFormatError) {
        let same: Bool
        switch account.layout {
        case .arp:
            let read = try ARPFile.parse(bytes).map(\.record)
            same = read == records.map { arp($0, account) }.map { record in
                var normalized = record
                normalized.accountNumber = String(record.accountNumber.drop { $0 == "0" })
                normalized.serial = String(record.serial.drop { $0 == "0" })
                return normalized
            }
        case .headerTrailer:
            let read = try HeaderTrailerIssueFile.parse(bytes)
            same = read.details == records.map { detail($0, settings) }.map { detail in
                var normalized = detail
                normalized.serial = String(detail.serial.drop { $0 == "0" })
                return normalized
            } && read.accountNumber == String(account.accountNumber.drop { $0 == "0" })
        case .csv:
            same = try PositivePayCSV.parse(bytes) == records.map { row($0, account) }
        }
        guard same else { throw PositivePayFormatError(.malformedRecord, line: 0, "the bytes read back differ from the records meant") }
    }

    private static func arp(_ record: PendingCheckRecord, _ account: CheckAccount) -> ARPRecord {
        let check = record.check
        return ARPRecord(code: record.action == .issue ? .issue : .void, accountNumber: account.accountNumber, serial: check.serial,
                         amount: check.amount, issueDate: check.issueDate.yyyymmdd,
                         // Trailing spaces are the field's fill either way; trimmed, the record reads back as meant.
                         additionalData: String(String(check.payee.prefix(15)).reversed().drop { $0 == " " }.reversed()),
                         expandedAdditionalData: account.payeeMatch ? check.payee : nil)
    }

    private static func detail(_ record: PendingCheckRecord, _ settings: Settings) -> HeaderTrailerIssueFile.Detail {
        let check = record.check
        let date = check.issueDate.yyyymmdd
        return HeaderTrailerIssueFile.Detail(serial: check.serial, issueDate: String(date.dropFirst(4)) + String(date.dropFirst(2).prefix(2)),
                                             transactionCode: record.action == .issue ? settings.issueCode : settings.voidCode,
                                             amount: check.amount, payee: check.payee)
    }

    private static func row(_ record: PendingCheckRecord, _ account: CheckAccount) -> PositivePayCSV.Row {
        let check = record.check
        let date = check.issueDate.yyyymmdd
        return PositivePayCSV.Row(action: record.action == .issue ? "I" : "V", accountNumber: account.accountNumber, serial: check.serial,
                                  issueDate: String(date.dropFirst(4)) + String(date.prefix(4)), amount: check.amount, payee: check.payee)
    }
}
