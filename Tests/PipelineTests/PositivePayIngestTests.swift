import BankFiles
import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import TestSupport
import Testing

/// The bank's Positive Pay reports through the real ingest: ARP output records and BAI2 paid
/// checks, in every order, applied once; a mismatched amount is not a payment; an unknown serial
/// quarantines the file with nothing applied.
@Suite struct PositivePayIngestTests {
    struct Fixture {
        let cutoff: PositivePayCutoffTests.Fixture
        let account: CheckAccount
        let checks: [CheckIssue]
        let ingest: IngestJob

        init(count: Int = 2) async throws {
            cutoff = try await PositivePayCutoffTests.Fixture()
            account = try await Checks.account(cutoff.store, merchant: cutoff.base.merchant, accountNumber: "000987654321")
            var issued: [CheckIssue] = []
            for index in 0..<count {
                issued.append(try await cutoff.issue(account, serial: "\(100 + index)", amount: 1_000 + Int64(index), payee: "PAYEE \(index)"))
            }
            _ = try await cutoff.job().run()
            checks = try await cutoff.store.checks(CheckQuery())
            ingest = IngestJob(store: cutoff.store, archive: cutoff.base.archive, logger: Logger(label: "test"))
        }

        func record(_ code: ARPRecord.Code, _ check: CheckIssue, amount: Int64? = nil, serial: String? = nil) -> ARPRecord {
            let issued = check.issueDate.description.replacingOccurrences(of: "-", with: "")
            return ARPRecord(code: code, accountNumber: "987654321", serial: serial ?? check.serial, amount: amount ?? check.amount,
                             issueDate: issued, paidDate: code == .paid ? issued : nil, additionalData: "BANKREF")
        }

        func states() async throws -> [PaymentState] { try await cutoff.store.checks(CheckQuery()).map(\.state) }
    }

    @Test func outstandingThenPaidAndPaidBeforeOutstandingEachApplyOnce() async throws {
        let fixture = try await Fixture()
        let (a, b) = (fixture.checks[0], fixture.checks[1])
        let first = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.outstanding, a)]), name: "o.txt", source: "t")
        #expect(first.kind == "arp_output" && first.status == "processed" && first.applied == 1)
        #expect(try await fixture.states() == [.processing, .submittedToCore])
        // b paid before any outstanding record: the on-file step is implied and recorded.
        let paid = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.paid, a), fixture.record(.paid, b)]),
                                                   name: "p.txt", source: "t")
        #expect(paid.applied == 3)
        #expect(try await fixture.states() == [.completed, .completed])
        let history = try await fixture.cutoff.store.checkHistory(checkID: b.id)
        #expect(history.suffix(2).map(\.reasonCode) == ["implied_on_file", "paid"])
        #expect(history.last?.source == .inboundFile(id: paid.id, line: 2))
        // A late outstanding record and a BAI2 475 for the same paid check change nothing.
        let late = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.outstanding, b)]), name: "o2.txt", source: "t")
        #expect(late.status == "processed" && late.applied == 0)
        let report = BankFileFixtures.paidChecks(asOf: .today(), account: "987654321", checks: [(b.serial, b.amount)])
        let bai2 = try await fixture.ingest.ingest(report, name: "bai2.txt", source: "t")
        #expect(bai2.kind == "bai2" && bai2.status == "processed" && bai2.applied == 0)
        #expect(try await fixture.cutoff.store.checkHistory(checkID: b.id).count == history.count)
    }

    @Test func aBAI2PaidCheckCompletesItAndAnAmountMismatchIsNotAPayment() async throws {
        let fixture = try await Fixture()
        let (a, b) = (fixture.checks[0], fixture.checks[1])
        let report = BankFileFixtures.paidChecks(asOf: .today(), account: "0000987654321", checks: [(a.serial, a.amount), (b.serial, 1)])
        let outcome = try await fixture.ingest.ingest(report, name: "bai2.txt", source: "t")
        #expect(outcome.status == "processed")
        #expect(outcome.notes.contains { $0.contains("amount mismatch") })
        #expect(try await fixture.states() == [.completed, .submittedToCore])
        // Through ARP, the mismatch is noted on the check itself.
        let arp = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.paid, b, amount: 99_999)]),
                                                  name: "p.txt", source: "t")
        #expect(arp.status == "processed" && arp.notes.count == 1)
        #expect(try await fixture.cutoff.store.check(id: b.id).state == .submittedToCore)
        #expect(try await fixture.cutoff.store.checkHistory(checkID: b.id).last?.reasonCode == "amount_mismatch")
    }

    @Test func anUnknownSerialOrAccountQuarantinesTheWholeFile() async throws {
        let fixture = try await Fixture()
        let a = fixture.checks[0]
        for records in [[fixture.record(.paid, a), fixture.record(.paid, a, serial: "999999")],
                        [fixture.record(.paid, a), ARPRecord(code: .paid, accountNumber: "5555", serial: a.serial, amount: a.amount,
                                                             issueDate: "20261201", paidDate: "20261202")]] {
            let outcome = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput(records), name: "bad.txt", source: "t")
            #expect(outcome.status == "quarantined")
            #expect(outcome.reason?.contains("line 2") == true)
        }
        #expect(try await fixture.states() == [.submittedToCore, .submittedToCore])
        // Our own issue file is not the bank's output.
        let file = try #require(try await fixture.cutoff.store.outboundFiles(statuses: nil).first)
        let own = try await fixture.ingest.ingest(try fixture.cutoff.sent(file), name: "own.txt", source: "t")
        #expect(own.status == "quarantined" && own.reason?.contains("issue file") == true)
    }

    @Test func aVoidConfirmedByTheBankFailsTheCheckAsVoided() async throws {
        let fixture = try await Fixture(count: 1)
        let check = fixture.checks[0]
        _ = try await fixture.cutoff.store.voidCheck(id: check.id, actor: .api, source: nil)
        _ = try await fixture.cutoff.job().run()
        let outcome = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.void, check)]), name: "v.txt", source: "t")
        #expect(outcome.status == "processed")
        let voided = try await fixture.cutoff.store.check(id: check.id)
        #expect(voided.state == .failed && voided.failure?.code == "voided")
        // The serial is free again.
        #expect(try await fixture.cutoff.issue(fixture.account, serial: check.serial, amount: 5, payee: "AGAIN").state == .validated)
    }
}
