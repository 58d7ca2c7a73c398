import Foundation
import NACHA
import Payments
import Pipeline
import Testing

@Suite struct AssemblerTests {
    @Test func bankCalendarSkipsWeekendsAndFedHolidays() {
        let thanksgiving = ACHDate(year: 2026, month: 11, day: 26)
        #expect(!BankCalendar.federalReserve.isBankingDay(thanksgiving))
        #expect(!BankCalendar.federalReserve.isBankingDay(ACHDate(year: 2026, month: 11, day: 28)))
        #expect(BankCalendar.federalReserve.nextBankingDay(after: ACHDate(year: 2026, month: 11, day: 25)) == ACHDate(year: 2026, month: 11, day: 27))
        // July 4th 2027 is a Sunday: observed Monday the 5th.
        #expect(!BankCalendar.federalReserve.isBankingDay(ACHDate(year: 2027, month: 7, day: 5)))
        // A requested date in the past becomes the next banking day after today.
        #expect(BankCalendar.federalReserve.effectiveDate(requested: ACHDate(year: 2026, month: 1, day: 2), today: ACHDate(year: 2026, month: 11, day: 20))
                == ACHDate(year: 2026, month: 11, day: 23))
        #expect(ACHDate(year: 2026, month: 12, day: 31).adding(days: 1) == ACHDate(year: 2027, month: 1, day: 1))
        #expect(ACHDate(year: 2024, month: 3, day: 1).adding(days: -1) == ACHDate(year: 2024, month: 2, day: 29))
    }

    @Test func bankProfileChecksRoutingNumbers() {
        #expect(throws: PipelineError.self) {
            try BankProfile(odfiRouting: "121042883", immediateDestination: "091000019", originName: "A", destinationName: "B")
        }
        #expect(throws: PipelineError.self) {
            try BankProfile(odfiRouting: "121042882", immediateDestination: "09100001", originName: "A", destinationName: "B")
        }
    }

    @Test func groupsByCompanySECDescriptionDateAndDirectionAndSplitsAtLimits() throws {
        let merchant = Merchant(id: "mer_1", name: "m", companyID: "1234567890", companyName: "M", balance: 0, createdAt: Date())
        func payment(_ id: String, _ amount: Int64, _ direction: Direction, sec: StandardEntryClass = .ppd, description: String = "PAYROLL") -> PendingPayment {
            PendingPayment(payment: Payment(
                id: id, merchantID: "mer_1", state: .validated, version: 2, amount: amount, currency: "USD", direction: direction,
                secCode: sec, description: description, effectiveDate: ACHDate(year: 2026, month: 12, day: 1),
                counterparty: Counterparty(name: "X", routingNumber: "091000019", accountNumber: "1", accountType: .checking),
                metadata: [:], idempotencyKey: id, reservedAmount: 0, failure: nil, createdAt: Date(), updatedAt: Date()),
                merchant: merchant)
        }
        let pending = [payment("a", 100, .credit), payment("b", 200, .debit), payment("c", 300, .credit),
                       payment("d", 400, .credit, sec: .ccd), payment("e", 500, .credit, description: "BONUS")]
        let today = ACHDate(year: 2026, month: 11, day: 20)
        let one = FileAssembler(limits: .init()).plan(pending, today: today)
        #expect(one.count == 1)
        #expect(one[0].count == 4)
        #expect(one[0].map { $0.payments.map(\.id) }.contains(["a", "c"]))
        let byAmount = FileAssembler(limits: .init(maximumAmountPerFile: 600)).plan(pending, today: today)
        #expect(byAmount.allSatisfy { $0.reduce(0) { $0 + $1.payments.reduce(0) { $0 + $1.amount } } <= 600 })
        #expect(byAmount.flatMap { $0.flatMap { $0.payments.map(\.id) } }.sorted() == ["a", "b", "c", "d", "e"])
        let byCount = FileAssembler(limits: .init(maximumEntriesPerFile: 2)).plan(pending, today: today)
        #expect(byCount.count == 3)

        let profile = try BankProfile(odfiRouting: "121042882", immediateDestination: "091000019", originName: "O", destinationName: "D")
        let header = FileHeader(immediateDestination: "091000019", immediateOrigin: "121042882", creationDate: today,
                                creationTime: ACHTime(hour: 9, minute: 0), fileIDModifier: "A")
        let (file, bindings) = FileAssembler.render(one[0], profile: profile, header: header, firstTraceSequence: 41)
        let bytes = try Writer().render(file)
        #expect(!Reader.read(bytes).hasErrors)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        for binding in bindings {
            let line = lines[binding.line - 1]
            #expect(line.hasPrefix("6"))
            #expect(line.hasSuffix(String(binding.traceNumber)))
        }
        #expect(bindings.map(\.traceNumber) == (41..<46).map { 12_104_288 * 10_000_000 + $0 })
    }
}
