import NACHA
import Payments

/// Turns collected payments into file plans: batches by company, SEC code, entry description,
/// effective date and direction (service class 220 or 225), split into files at the configured
/// limits. Same-day payments are dated today, so they make batches of their own. Pure: no clock,
/// no storage.
public struct FileAssembler: Sendable {
    public struct Limits: Sendable, Hashable {
        public var maximumEntriesPerFile: Int
        /// Debits plus credits, in cents.
        public var maximumAmountPerFile: Int64
        /// Files a day to one destination: file ID modifiers A–Z, 0–9 at most (36); some banks take fewer.
        public var maximumFilesPerDay: Int
        public init(maximumEntriesPerFile: Int = 50_000, maximumAmountPerFile: Int64 = 99_999_999_999, maximumFilesPerDay: Int = 36) {
            self.maximumEntriesPerFile = maximumEntriesPerFile
            self.maximumAmountPerFile = maximumAmountPerFile
            self.maximumFilesPerDay = min(maximumFilesPerDay, FileAssembler.modifiers.count)
        }
    }

    /// One batch to be: its header fields and its payments in order.
    public struct BatchPlan: Sendable, Hashable {
        public var merchant: Merchant
        public var secCode: StandardEntryClass
        public var description: String
        public var effectiveDate: ACHDate
        /// The company descriptive date: `SDHHMM` for a same-day batch when the bank asks, else blank.
        public var descriptiveDate: String
        public var isCredit: Bool
        public var payments: [Payment]
    }

    public let limits: Limits
    public let calendar: BankCalendar

    public init(limits: Limits, calendar: BankCalendar = .federalReserve) {
        self.limits = limits
        self.calendar = calendar
    }

    /// Files, each a list of batches. Payments asking for same-day settlement settle `today`, with
    /// `sameDayDescriptiveDate` in their batches' headers; the caller passes only those this run sends.
    public func plan(_ pending: [PendingPayment], today: ACHDate, sameDayDescriptiveDate: String? = nil) -> [[BatchPlan]] {
        struct Key: Hashable, Comparable {
            var merchantID: String, sec: String, description: String, date: ACHDate, credit: Bool
            static func < (a: Key, b: Key) -> Bool {
                (a.merchantID, a.sec, a.description, a.date, a.credit ? 0 : 1) < (b.merchantID, b.sec, b.description, b.date, b.credit ? 0 : 1)
            }
        }
        var groups: [Key: BatchPlan] = [:]
        var effectiveDates: [ACHDate: ACHDate] = [:]
        for item in pending {
            let payment = item.payment
            let sameDay = payment.settlement.asksSameDay
            let date = sameDay ? today : effectiveDates[payment.effectiveDate] ?? {
                let date = calendar.effectiveDate(requested: payment.effectiveDate, today: today)
                effectiveDates[payment.effectiveDate] = date
                return date
            }()
            let key = Key(merchantID: item.merchant.id, sec: payment.secCode.rawValue, description: payment.description,
                          date: date, credit: payment.direction == .credit)
            groups[key, default: BatchPlan(merchant: item.merchant, secCode: payment.secCode, description: payment.description,
                                           effectiveDate: date, descriptiveDate: sameDay ? sameDayDescriptiveDate ?? "" : "",
                                           isCredit: key.credit, payments: [])].payments.append(payment)
        }
        var files: [[BatchPlan]] = []
        var current: [BatchPlan] = []
        var entries = 0
        var amount: Int64 = 0
        for (_, batch) in groups.sorted(by: { $0.key < $1.key }) {
            var remaining = batch.payments[...]
            while let next = remaining.first {
                if entries + 1 > limits.maximumEntriesPerFile || (entries > 0 && amount + next.amount > limits.maximumAmountPerFile) {
                    files.append(current)
                    current = []
                    entries = 0
                    amount = 0
                }
                // Take as many of this batch's payments as fit in the current file.
                var taken: [Payment] = []
                while let payment = remaining.first, entries + 1 <= limits.maximumEntriesPerFile,
                      entries == 0 || amount + payment.amount <= limits.maximumAmountPerFile {
                    taken.append(payment)
                    entries += 1
                    amount += payment.amount
                    remaining = remaining.dropFirst()
                }
                var part = batch
                part.payments = taken
                current.append(part)
            }
        }
        if !current.isEmpty { files.append(current) }
        return files
    }

    /// The model for one planned file, with each payment's batch, trace and line.
    public static func render(_ batches: [BatchPlan], profile: BankProfile, header: FileHeader,
                              firstTraceSequence: Int) -> (file: ACHFile, bindings: [FileBinding]) {
        var trace = firstTraceSequence
        var bindings: [FileBinding] = []
        var rendered: [Batch] = []
        for (index, plan) in batches.enumerated() {
            let batchNumber = index + 1
            let entries = plan.payments.map { payment in
                let traceNumber = profile.odfiIdentification * 10_000_000 + trace
                trace += 1
                return Entry(EntryDetail(
                    transactionCode: .forEntry(savings: payment.counterparty.accountType == .savings, credit: payment.direction == .credit),
                    routingNumber: payment.counterparty.routingNumber, accountNumber: payment.counterparty.accountNumber,
                    amount: payment.amount, individualName: payment.counterparty.name,
                    discretionaryData: plan.secCode == .web ? "S" : "", traceNumber: traceNumber))
            }
            rendered.append(Batch(header: BatchHeader(
                serviceClass: plan.isCredit ? .creditsOnly : .debitsOnly, companyName: plan.merchant.companyName,
                companyIdentification: plan.merchant.companyID, standardEntryClass: plan.secCode,
                companyEntryDescription: plan.description, companyDescriptiveDate: plan.descriptiveDate, effectiveEntryDate: plan.effectiveDate,
                originatingDFI: profile.odfiIdentification, batchNumber: batchNumber), entries: entries))
        }
        let file = ACHFile(header: header, batches: rendered)
        for (index, lines) in file.entryLines.enumerated() {
            let plan = batches[index]
            for (payment, (entry, line)) in zip(plan.payments, zip(rendered[index].entries, lines)) {
                bindings.append(FileBinding(paymentID: payment.id, batchNumber: index + 1, traceNumber: entry.detail.traceNumber,
                                            line: line, effectiveDate: plan.effectiveDate))
            }
        }
        return (file, bindings)
    }

    /// File ID modifiers in the order NACHA files use them: A–Z, then 0–9.
    public static let modifiers = (UInt8(ascii: "A")...UInt8(ascii: "Z")).map { String(UnicodeScalar($0)) }
        + (0...9).map(String.init)
}
