import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import Testing
import TestSupport

/// Same Day ACH through a bank profile's day: three same-day windows that also take next-day
/// payments, then a next-day-only window, on a fixed banking day in the bank's time zone.
struct SameDayCutoffTests {
    static let bankTime = TimeZone(identifier: "America/New_York")!
    /// A Wednesday, not a Fed holiday.
    static let day = ACHDate(year: 2027, month: 3, day: 10)

    static func at(_ hour: Int, _ minute: Int, on day: ACHDate = day) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = bankTime
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute))!
    }

    static func schedule() throws -> CutoffSchedule {
        try CutoffSchedule(windows: [
            CutoffWindow(name: "same-day-1", runsAt: ACHTime(hour: 10, minute: 30), bankDeadline: ACHTime(hour: 10, minute: 50), sameDay: true),
            CutoffWindow(name: "same-day-2", runsAt: ACHTime(hour: 14, minute: 45), bankDeadline: ACHTime(hour: 15, minute: 5), sameDay: true),
            CutoffWindow(name: "same-day-3", runsAt: ACHTime(hour: 16, minute: 45), bankDeadline: ACHTime(hour: 17, minute: 5), sameDay: true),
            CutoffWindow(name: "next-day", runsAt: ACHTime(hour: 17, minute: 30), bankDeadline: ACHTime(hour: 23, minute: 0), sameDay: false),
        ], timeZone: bankTime, sameDayDescriptiveDate: true, delivery: .seconds(900))
    }

    @Test func windowsAreCheckedAgainstTheDeliveryAndEachOther() throws {
        #expect(throws: PipelineError.self) {
            try CutoffSchedule(windows: [CutoffWindow(name: "tight", runsAt: ACHTime(hour: 10, minute: 30),
                                                      bankDeadline: ACHTime(hour: 10, minute: 40), sameDay: true)],
                               timeZone: Self.bankTime, delivery: .seconds(900))
        }
        do {
            _ = try CutoffSchedule(windows: [
                CutoffWindow(name: "a", runsAt: ACHTime(hour: 10, minute: 0), bankDeadline: ACHTime(hour: 11, minute: 0), sameDay: true),
                CutoffWindow(name: "b", runsAt: ACHTime(hour: 10, minute: 30), bankDeadline: ACHTime(hour: 12, minute: 0), sameDay: true),
            ], timeZone: Self.bankTime, delivery: .seconds(900))
            Issue.record("overlapping windows were accepted")
        } catch {
            #expect(error.message.contains("overlap"))
        }
        let schedule = try Self.schedule()
        #expect(schedule.window(at: Self.at(10, 31))?.name == "same-day-1")
        #expect(schedule.window(at: Self.at(12, 0)) == nil)
        #expect(schedule.window(at: Self.at(17, 40))?.name == "next-day")
        // A Saturday has no windows.
        #expect(schedule.window(at: Self.at(10, 31, on: ACHDate(year: 2027, month: 3, day: 13))) == nil)
        #expect(schedule.run(at: Self.at(14, 46)).descriptiveDate == "SD1445")
        #expect(schedule.run(at: Self.at(17, 31)).descriptiveDate == nil)
    }

    /// A funded merchant's store and a cutoff for the profile's schedule, run at a chosen moment.
    struct Day {
        let fixture: CutoffFixture
        let schedule: CutoffSchedule
        let directory: String

        init() async throws {
            fixture = try await CutoffFixture(payments: 0)
            schedule = try SameDayCutoffTests.schedule()
            directory = fixture.database.directory.appendingPathComponent("bank").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        /// A payment taken in on the day at 08:00, the bank's time.
        func add(_ cents: Int64, settlement: Settlement?, effective: ACHDate) async throws -> String {
            var request = Requests.credit(amount: cents)
            request.effectiveDate = effective.description
            request.settlement = settlement?.rawValue
            let validated = try request.validate(rules: PaymentRules(), today: SameDayCutoffTests.day)
            let outcome = try await fixture.store.intake([PaymentIntake(merchantID: fixture.merchant.id, idempotencyKey: UUID().uuidString.lowercased(),
                                                                        request: validated, actor: .cli)])
            return try #require(outcome.first?.payment.id)
        }

        @discardableResult
        func run(_ hour: Int, _ minute: Int) async throws -> CutoffJob.Summary {
            let renderer = NACHAFileRenderer(profile: fixture.profile, schedule: schedule)
            let settings = CutoffJob.Settings(renderers: [renderer], destination: LocalDirectoryDestination(directory: directory),
                                              archive: fixture.archive, window: .seconds(30))
            let moment = SameDayCutoffTests.at(hour, minute)
            return try await CutoffJob(settings: settings, store: fixture.store, logger: TestLog.logger(), now: { moment }).run()
        }

        func payment(_ id: String) async throws -> Payment { try await fixture.store.payment(id: id) }

        /// The effective dates and descriptive dates of the batches in the files sent so far.
        func batches() async throws -> [(effective: ACHDate, descriptive: String, amounts: [Int64])] {
            var batches: [(ACHDate, String, [Int64])] = []
            for file in try await fixture.store.outboundFiles(statuses: [.uploaded]) {
                let read = Reader.read(try fixture.archive.read(file.archivePath))
                #expect(!read.hasErrors && !read.hasWarnings)
                for batch in try #require(read.file).batches {
                    batches.append((batch.header.effectiveEntryDate, batch.header.companyDescriptiveDate,
                                    batch.entries.map(\.detail.amount).sorted()))
                }
            }
            return batches
        }
    }

    @Test func eachWindowsRunTakesExactlyThePaymentsDueForIt() async throws {
        let day = try await Day()
        let tomorrow = Self.day.adding(days: 1)
        let sameDay = try await day.add(1_001, settlement: .sameDay, effective: Self.day)
        let implied = try await day.add(1_002, settlement: nil, effective: Self.day)
        let nextDay = try await day.add(1_003, settlement: .nextDay, effective: tomorrow)
        #expect(try await day.payment(implied).settlement == .sameDay)

        // Before the first window: nothing same-day goes; next-day payments may.
        let early = try await day.run(9, 0)
        #expect(early.paymentsCollected == 1)
        #expect(try await day.payment(nextDay).state == .submittedToCore)
        #expect(try await day.payment(sameDay).state == .validated)

        // Same-day window 1 takes both same-day payments, in a batch dated today with SD1030.
        let first = try await day.run(10, 31)
        #expect(first.paymentsCollected == 2)
        #expect(try await day.payment(sameDay).state == .submittedToCore)
        #expect(try await day.payment(implied).state == .submittedToCore)
        let sent = try await day.batches()
        let sameDayBatch = try #require(sent.first { $0.amounts == [1_001, 1_002] })
        #expect(sameDayBatch.effective == Self.day)
        #expect(sameDayBatch.descriptive == "SD1030")
        let nextDayBatch = try #require(sent.first { $0.amounts == [1_003] })
        #expect(nextDayBatch.effective == tomorrow)

        // A same-day payment taken in after window 1 waits for window 2 and is not in window 1's files.
        let late = try await day.add(1_004, settlement: .sameDay, effective: Self.day)
        #expect(try await day.run(12, 0).paymentsCollected == 0)
        let second = try await day.run(14, 50)
        #expect(second.paymentsCollected == 1)
        #expect(try await day.batches().contains { $0.amounts == [1_004] && $0.descriptive == "SD1445" && $0.effective == Self.day })
        #expect(try await day.payment(late).state == .submittedToCore)
    }

    @Test func aSameDayPaymentThatMissesTheLastWindowFailsOrMovesAsItsRequestAllowed() async throws {
        let day = try await Day()
        let balance = try await day.fixture.store.merchant(day.fixture.merchant.id).balance
        let strict = try await day.add(2_001, settlement: .sameDay, effective: Self.day)
        let flexible = try await day.add(2_002, settlement: .sameDayOrNext, effective: Self.day)
        #expect(try await day.fixture.store.merchant(day.fixture.merchant.id).balance == balance - 4_003)

        // The next-day window, after the last same-day window: neither goes same-day.
        let summary = try await day.run(17, 35)
        let failed = try await day.payment(strict)
        #expect(failed.state == .failed)
        #expect(failed.failure?.code == Settlement.windowMissedCode)
        // Its reserved funds came back; the flexible one is still reserved, now settling next day.
        #expect(try await day.fixture.store.merchant(day.fixture.merchant.id).balance == balance - 2_002)
        let moved = try await day.payment(flexible)
        #expect(moved.settlement == .nextDay)
        #expect(moved.state == .submittedToCore)
        #expect(summary.paymentsCollected == 1)
        let note = try await day.fixture.store.history(paymentID: flexible).first { $0.reasonCode == Settlement.windowMissedCode }
        #expect(note?.actor == .cutoff)
        #expect(try await day.fixture.store.history(paymentID: strict).last?.reasonCode == Settlement.windowMissedCode)
        // It went in a next-day batch: the next banking day, no SD descriptive date.
        let batch = try #require(try await day.batches().first { $0.amounts == [2_002] })
        #expect(batch.effective == Self.day.adding(days: 1))
        #expect(!batch.descriptive.hasPrefix("SD"))
    }

    @Test func ineligibleSameDayRequestsFailWithAClearCode() throws {
        var tooLarge = Requests.credit(amount: 100_000_001)
        tooLarge.effectiveDate = Self.day.description
        tooLarge.settlement = "same_day"
        #expect(Self.codes(tooLarge) == ["amount: same_day_over_limit"])
        // A next-day payment of the same amount is fine.
        tooLarge.settlement = "next_day"
        tooLarge.effectiveDate = Self.day.adding(days: 1).description
        #expect(Self.codes(tooLarge).isEmpty)

        var notToday = Requests.credit()
        notToday.effectiveDate = Self.day.adding(days: 1).description
        notToday.settlement = "same_day"
        #expect(Self.codes(notToday) == ["effective_date: same_day_not_today"])
        notToday.settlement = "soon"
        #expect(Self.codes(notToday) == ["settlement: invalid"])
        notToday.settlement = nil
        notToday.profile = "backup"
        #expect(Self.codes(notToday, profiles: ["primary"]) == ["profile: unknown_profile"])
        #expect(Self.codes(notToday, profiles: ["primary", "backup"]).isEmpty)
    }

    static func codes(_ request: PaymentRequest, profiles: Set<String> = []) -> [String] {
        do {
            _ = try request.validate(rules: PaymentRules(maximumAmount: 200_000_000, profiles: profiles), today: day)
            return []
        } catch {
            return error.fieldErrors.map { "\($0.field): \($0.code)" }
        }
    }
}
