import BankFiles
import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import Synchronization
import TestSupport
import Testing

/// Issue files through the real cutoff: one per account in its layout, checked record by record
/// against what the layouts say, voids in the next file, and a crash between recording and
/// upload resumed exactly once.
@Suite struct PositivePayCutoffTests {
    struct Fixture {
        let base: CutoffFixture
        let remote: String

        init(faults: FaultInjector = .none) async throws {
            base = try await CutoffFixture(payments: 0, faults: faults)
            remote = base.database.directory.appendingPathComponent("bank").path
            try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        }

        var store: any LedgerStore { base.store }

        func job(faults: FaultInjector = .none) -> CutoffJob {
            let kinds = [CutoffJob.Kind(renderer: PositivePayFileRenderer(settings: .init(bankNumber: "01234")),
                                        destination: LocalDirectoryDestination(directory: remote))]
            return CutoffJob(settings: CutoffJob.Settings(kinds: kinds, archive: base.archive), store: base.store,
                             logger: TestLog.logger(), faults: faults)
        }

        func sent(_ file: OutboundFile) throws -> [UInt8] {
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: remote + "/" + file.name)))
        }

        func issue(_ account: CheckAccount, serial: String, amount: Int64, payee: String) async throws -> CheckIssue {
            try await store.issueChecks([Checks.intake(account, Checks.request(account, serial: serial, amount: amount, payee: payee))])[0].check
        }
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends CRLF")
        return text.components(separatedBy: "\r\n").dropLast()
    }

    static func field(_ line: String, _ from: Int, _ to: Int) -> String {
        String(Array(line)[(from - 1)..<to])
    }

    @Test func fileNamesTellTheDateAndTimeInTheBankProfilesTimeZone() async throws {
        let fixture = try await Fixture()
        let account = try await Checks.account(fixture.store, merchant: fixture.base.merchant, layout: .arp, accountNumber: "1111")
        _ = try await fixture.issue(account, serial: "10001", amount: 12_345, payee: "JANE DOE")
        // 2026-12-07 12:00 UTC is 2026-12-08 02:00 on Kiritimati (UTC+14): the bank's day, not the machine's.
        let noon = try Date("2026-12-07T12:00:00Z", strategy: .iso8601)
        let kiritimati = try #require(TimeZone(identifier: "Pacific/Kiritimati"))
        let kinds = [CutoffJob.Kind(renderer: PositivePayFileRenderer(settings: .init(timeZone: kiritimati)),
                                    destination: LocalDirectoryDestination(directory: fixture.remote))]
        let job = CutoffJob(settings: CutoffJob.Settings(kinds: kinds, archive: fixture.base.archive), store: fixture.base.store,
                            logger: TestLog.logger(), now: { noon })
        let names = try await job.preview().map(\.name)
        #expect(names.count == 1 && names.allSatisfy { $0.hasPrefix("PPAY_1111_20261208_0200_") }, "\(names)")
    }

    @Test func eachLayoutRendersOneFilePerAccountWithItsPositionsAndControls() async throws {
        let fixture = try await Fixture()
        let merchant = fixture.base.merchant
        let arp = try await Checks.account(fixture.store, merchant: merchant, layout: .arp, accountNumber: "1111")
        let payee = try await Checks.account(fixture.store, merchant: merchant, layout: .arp, payeeMatch: true, accountNumber: "2222")
        let layoutB = try await Checks.account(fixture.store, merchant: merchant, layout: .headerTrailer, accountNumber: "3333")
        let csv = try await Checks.account(fixture.store, merchant: merchant, layout: .csv, accountNumber: "4444")
        let today = ACHDate.today().description.replacingOccurrences(of: "-", with: "")
        _ = try await fixture.issue(arp, serial: "10001", amount: 12_345, payee: "JANE DOE AND SONS LIMITED")
        _ = try await fixture.issue(arp, serial: "10002", amount: 500, payee: "ACME")
        let long = "A PAYEE NAME LONGER THAN FIFTEEN CHARACTERS"
        _ = try await fixture.issue(payee, serial: "77", amount: 99, payee: long)
        _ = try await fixture.issue(layoutB, serial: "5", amount: 1_000, payee: "ONE")
        _ = try await fixture.issue(layoutB, serial: "6", amount: 2_500, payee: "TWO")
        _ = try await fixture.issue(csv, serial: "900", amount: 123_456, payee: "JOHN Q PUBLIC")

        let summary = try await fixture.job().run()
        #expect(summary.checkRecordsCollected == 6 && summary.filesRendered == 4 && summary.filesUploaded == 4)
        #expect(summary.checkRecordsSubmitted == 6 && summary.paymentsCollected == 0)
        let files = try await fixture.store.outboundFiles(statuses: nil)
        #expect(files.allSatisfy { $0.kind == .positivePay && $0.status == .uploaded })
        func file(_ account: CheckAccount) throws -> OutboundFile {
            try #require(files.first { $0.name.hasPrefix("PPAY_\(account.accountNumber.suffix(4))_") })
        }

        // Layout A: 94 characters, I records, the payee's first 15 characters at 80-94.
        let a = Self.lines(try fixture.sent(try file(arp)))
        #expect(a.count == 2 && a.allSatisfy { $0.count == 94 })
        #expect(Self.field(a[0], 1, 2) == "I " && Self.field(a[0], 3, 22) == "00000000000000001111")
        #expect(Self.field(a[0], 24, 41) == "000000000000010001" && Self.field(a[0], 43, 60) == "000000000000012345")
        #expect(Self.field(a[0], 62, 69) == today && Self.field(a[0], 71, 78) == "        ")
        #expect(Self.field(a[0], 80, 94) == "JANE DOE AND SO")
        #expect(try file(arp).entryCount == 2 && (try file(arp)).totalDebit == 12_845)
        // With payee match, the expanded payee at 95-174.
        let p = Self.lines(try fixture.sent(try file(payee)))
        #expect(p.count == 1 && p[0].count == 174)
        #expect(Self.field(p[0], 95, 174).trimmingCharacters(in: .whitespaces) == long)
        // Layout B: header, details with code 320, trailer count and total.
        let b = Self.lines(try fixture.sent(try file(layoutB)))
        #expect(b.count == 4 && b.allSatisfy { $0.count == 85 })
        #expect(Self.field(b[0], 1, 24) == "*0301234000000000003333" + "0")
        #expect(Self.field(b[1], 1, 10) == "0000000005" && Self.field(b[1], 32, 34) == "320" && Self.field(b[1], 35, 44) == "0000001000")
        #expect(Self.field(b[1], 11, 16) == String(today.dropFirst(4)) + String(today.dropFirst(2).prefix(2)))
        #expect(Self.field(b[3], 1, 1) == "&" && Self.field(b[3], 16, 22) == "0000002" && Self.field(b[3], 26, 38) == "0000000003500")
        // CSV: one row, MMDDYYYY and dollars.
        let c = Self.lines(try fixture.sent(try file(csv)))
        #expect(c == ["I,4444,900,\(today.dropFirst(4))\(today.prefix(4)),1234.56,JOHN Q PUBLIC"])

        let checks = try await fixture.store.checks(CheckQuery())
        #expect(checks.allSatisfy { $0.state == .submittedToCore })
        let history = try await fixture.store.checkHistory(checkID: checks[1].id)
        #expect(history.last?.source == .outboundFile(id: try file(arp).id, line: 2))
        // Nothing is sent twice.
        let again = try await fixture.job().run()
        #expect(again.filesRendered == 0 && again.checkRecordsCollected == 0)
    }

    @Test func aVoidAfterSendingGoesInTheNextFileAndOneBeforeSendingIsCancelled() async throws {
        let fixture = try await Fixture()
        let account = try await Checks.account(fixture.store, merchant: fixture.base.merchant, layout: .headerTrailer)
        let sent = try await fixture.issue(account, serial: "1", amount: 700, payee: "A")
        _ = try await fixture.job().run()
        let unsent = try await fixture.issue(account, serial: "2", amount: 800, payee: "B")
        #expect(try await fixture.store.voidCheck(id: unsent.id, actor: .api, source: nil).failure?.code == "cancelled")
        #expect(try await fixture.store.voidCheck(id: sent.id, actor: .api, source: nil).voidRequestedAt != nil)
        let summary = try await fixture.job().run()
        #expect(summary.filesRendered == 1 && summary.checkRecordsSubmitted == 1)
        let file = try #require(try await fixture.store.outboundFiles(statuses: nil).last)
        let lines = Self.lines(try fixture.sent(file))
        #expect(lines.count == 3)
        #expect(Self.field(lines[1], 1, 10) == "0000000001" && Self.field(lines[1], 32, 34) == "370")
        #expect(file.totalDebit == 0)
        let voided = try await fixture.store.check(id: sent.id)
        #expect(voided.voidRecord?.fileID == file.id && voided.state == .submittedToCore)
    }

    @Test func aCrashBetweenRecordingAndUploadResumesTheSameBytesOnce() async throws {
        let fixture = try await Fixture()
        let account = try await Checks.account(fixture.store, merchant: fixture.base.merchant)
        _ = try await fixture.issue(account, serial: "42", amount: 4_200, payee: "X")
        let armed = Atomic<Bool>(true)
        let crashing = fixture.job(faults: FaultInjector { $0 == .afterFileRecorded && armed.load(ordering: .relaxed) })
        await #expect(throws: PipelineError.self) { _ = try await crashing.run() }
        let recorded = try #require(try await fixture.store.outboundFiles(statuses: nil).first)
        #expect(recorded.status == .rendered)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.remote).isEmpty)
        armed.store(false, ordering: .relaxed)
        let summary = try await fixture.job().run()
        #expect(summary.filesResumed == 1 && summary.filesRendered == 0 && summary.filesUploaded == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.remote) == [recorded.name])
        #expect(Archive.sha256(try fixture.sent(recorded)) == recorded.sha256)
        #expect(try await fixture.store.checks(CheckQuery()).map(\.state) == [.submittedToCore])
    }
}
