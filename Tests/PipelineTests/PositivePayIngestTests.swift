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

        init(count: Int = 2, faults: FaultInjector = .none) async throws {
            cutoff = try await PositivePayCutoffTests.Fixture(faults: faults)
            account = try await Checks.account(cutoff.store, merchant: cutoff.base.merchant, accountNumber: "000987654321")
            var issued: [CheckIssue] = []
            for index in 0..<count {
                issued.append(try await cutoff.issue(account, serial: "\(100 + index)", amount: 1_000 + Int64(index), payee: "PAYEE \(index)"))
            }
            _ = try await cutoff.job().run()
            checks = try await cutoff.store.checks(CheckQuery())
            ingest = IngestJob(store: cutoff.store, archive: cutoff.base.archive, logger: TestLog.logger())
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
        #expect(first.kind == .arpOutput && first.status == .processed && first.applied == 1)
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
        #expect(late.status == .processed && late.applied == 0)
        let report = BankFileFixtures.paidChecks(asOf: .today(), account: "987654321", checks: [(b.serial, b.amount)])
        let bai2 = try await fixture.ingest.ingest(report, name: "bai2.txt", source: "t")
        #expect(bai2.kind == .bai2 && bai2.status == .processed && bai2.applied == 0)
        #expect(try await fixture.cutoff.store.checkHistory(checkID: b.id).count == history.count)
        #expect(try await fixture.cutoff.store.check(id: b.id).paidOn == b.issueDate)
        // Paid again another day, with another reference: another presentment of a paid check, a discrepancy.
        var again = fixture.record(.paid, b)
        again.paidDate = b.issueDate.adding(days: 3).yyyymmdd
        again.additionalData = "SECOND"
        let twice = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([again]), name: "p2.txt", source: "t")
        #expect(twice.status == .processed && twice.applied == 0 && twice.discrepancies == 1, "\(twice)")
        let noted = try #require(try await fixture.cutoff.store.checkHistory(checkID: b.id).last)
        #expect(noted.reasonCode == "discrepancy" && noted.reasonText.contains("paid again on \(b.issueDate.adding(days: 3))"))
        let laterReport = BankFileFixtures.paidChecks(asOf: b.issueDate.adding(days: 5), account: "987654321", checks: [(b.serial, b.amount)])
        let laterBAI2 = try await fixture.ingest.ingest(laterReport, name: "bai2-later.txt", source: "t")
        #expect(laterBAI2.discrepancies == 1 && laterBAI2.applied == 0, "\(laterBAI2)")
        #expect(try await fixture.cutoff.store.check(id: b.id).state == .completed)
    }

    @Test func aBAI2PaidCheckCompletesItAndAnAmountMismatchIsNotAPayment() async throws {
        let fixture = try await Fixture()
        let (a, b) = (fixture.checks[0], fixture.checks[1])
        let report = BankFileFixtures.paidChecks(asOf: .today(), account: "0000987654321", checks: [(a.serial, a.amount), (b.serial, 1)])
        let outcome = try await fixture.ingest.ingest(report, name: "bai2.txt", source: "t")
        #expect(outcome.status == .processed)
        #expect(outcome.notes.contains { $0.contains("amount mismatch") })
        #expect(try await fixture.states() == [.completed, .submittedToCore])
        // Through ARP, the mismatch is a discrepancy for investigation: noted on the check and the file, no
        // exception made up by metl (presentments to decide come in the bank's exception file).
        let arp = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.paid, b, amount: 99_999)]),
                                                  name: "p.txt", source: "t")
        #expect(arp.status == .processed && arp.notes.count == 1 && arp.notes[0].hasPrefix("discrepancy:"), "\(arp.notes)")
        #expect(try await fixture.cutoff.store.check(id: b.id).state == .submittedToCore)
        let noted = try #require(try await fixture.cutoff.store.checkHistory(checkID: b.id).last)
        #expect(noted.reasonCode == "discrepancy" && noted.source == .inboundFile(id: arp.id, line: 1) && noted.reasonText.contains("$999.99"))
        #expect(try await fixture.cutoff.store.checkExceptions(merchantID: nil, status: nil).isEmpty)
        // The bank's own exception for that presentment, paid by the company: the paid record then completes the check.
        _ = try await fixture.ingest.ingest(Self.exceptionFile([
            "EX-77,987654321,\(b.serial),99999,\(b.amount),PAYEE 1,amount_mismatch,return,\(Self.deadline)",
        ]), name: "exceptions.csv", source: "t")
        let exception = try #require(try await fixture.cutoff.store.checkExceptions(merchantID: nil, status: .open).first)
        _ = try await fixture.cutoff.store.decideException(id: exception.id, decision: .pay, returnReason: nil, actor: .api, source: nil,
                                                           at: Date())
        var again = fixture.record(.paid, b, amount: 99_999)
        again.additionalData = "PAID"
        let settled = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([again]), name: "p3.txt", source: "t")
        #expect(settled.status == .processed && settled.applied == 2 && settled.notes.isEmpty, "\(settled)")
        #expect(try await fixture.cutoff.store.check(id: b.id).state == .completed)
        #expect(try await fixture.cutoff.store.checkHistory(checkID: b.id).last?.reasonCode == "paid_by_decision")
    }

    @Test func anUnknownSerialOrAccountQuarantinesTheWholeFile() async throws {
        let fixture = try await Fixture()
        let a = fixture.checks[0]
        for records in [[fixture.record(.paid, a), fixture.record(.paid, a, serial: "999999")],
                        [fixture.record(.paid, a), ARPRecord(code: .paid, accountNumber: "5555", serial: a.serial, amount: a.amount,
                                                             issueDate: "20261201", paidDate: "20261202")]] {
            let outcome = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput(records), name: "bad.txt", source: "t")
            #expect(outcome.status == .quarantined)
            #expect(outcome.reason?.contains("line 2") == true)
        }
        #expect(try await fixture.states() == [.submittedToCore, .submittedToCore])
        // Our own issue file is not the bank's output.
        let file = try #require(try await fixture.cutoff.store.outboundFiles(statuses: nil).first)
        let own = try await fixture.ingest.ingest(try fixture.cutoff.sent(file), name: "own.txt", source: "t")
        #expect(own.status == .quarantined && own.reason?.contains("issue file") == true)
    }

    @Test("a number enrolled at two routing numbers quarantines the files naming it until one enrolment is disabled")
    func aDisabledEnrolmentNoLongerMatches() async throws {
        let fixture = try await Fixture()
        let a = fixture.checks[0]
        let store = fixture.cutoff.store
        let twin = try await store.addCheckAccount(try CheckAccount.enrol(merchantID: fixture.account.merchantID, routingNumber: "091000019",
                                                                           accountNumber: "987654321", layout: .arp, payeeMatch: false))
        let file = try BankFileFixtures.arpOutput([fixture.record(.outstanding, a)])
        let held = try await fixture.ingest.ingest(file, name: "o.txt", source: "t")
        #expect(held.status == .quarantined && held.reason?.contains(twin.id) == true && held.reason?.contains(fixture.account.id) == true,
                "\(held)")
        _ = try await store.disableCheckAccount(id: twin.id, at: Date())
        let retried = try await fixture.ingest.retry(inboundID: held.id, by: "ops")
        #expect(retried.status == .processed && retried.applied == 1, "\(retried)")
        #expect(try await store.check(id: a.id).state == .processing)
    }

    @Test func aVoidConfirmedByTheBankFailsTheCheckAsVoided() async throws {
        let fixture = try await Fixture(count: 1)
        let check = fixture.checks[0]
        _ = try await fixture.cutoff.store.voidCheck(id: check.id, actor: .api, source: nil)
        _ = try await fixture.cutoff.job().run()
        let outcome = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.void, check)]), name: "v.txt", source: "t")
        #expect(outcome.status == .processed)
        let voided = try await fixture.cutoff.store.check(id: check.id)
        #expect(voided.state == .failed && voided.failure?.code == "voided")
        // The serial is free again.
        #expect(try await fixture.cutoff.issue(fixture.account, serial: check.serial, amount: 5, payee: "AGAIN").state == .validated)
    }

    /// A decision deadline a week ahead: a deadline already past is refused at ingest.
    static let deadline = Timestamp.format(Date().addingTimeInterval(7 * 86_400))

    @Test("a repeated void for a voided serial never voids the reissued check; a void at another amount is a discrepancy")
    func aVoidMatchesSerialAmountAndDateNotTheSerialAlone() async throws {
        let fixture = try await Fixture(count: 1)
        let check = fixture.checks[0]
        _ = try await fixture.cutoff.store.voidCheck(id: check.id, actor: .api, source: nil)
        _ = try await fixture.cutoff.job().run()
        let void = try BankFileFixtures.arpOutput([fixture.record(.void, check)])
        #expect(try await fixture.ingest.ingest(void, name: "v.txt", source: "t").status == .processed)
        let reissued = try await fixture.cutoff.issue(fixture.account, serial: check.serial, amount: 7_777, payee: "AGAIN")
        _ = try await fixture.cutoff.job().run()
        var repeated = fixture.record(.void, check)
        repeated.additionalData = "RESENT"
        let outcome = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([repeated]), name: "v2.txt", source: "t")
        // It is the voided check's own record again: nothing to do, and the reissued check is untouched.
        #expect(outcome.status == .processed && outcome.applied == 0 && outcome.notes.isEmpty, "\(outcome)")
        let untouched = try await fixture.cutoff.store.check(id: reissued.id)
        #expect(untouched.state == .submittedToCore && untouched.failure == nil)
        // A void for the serial at another amount is about neither check: a discrepancy on the live one.
        let other = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.void, check, amount: 5)]),
                                                    name: "v3.txt", source: "t")
        #expect(other.status == .processed && other.notes.count == 1 && other.notes[0].hasPrefix("discrepancy:"), "\(other)")
        #expect(try await fixture.cutoff.store.check(id: reissued.id).state == .submittedToCore)
        #expect(try await fixture.cutoff.store.checkHistory(checkID: reissued.id).last?.reasonCode == "discrepancy")
    }

    static func exceptionFile(_ rows: [String]) -> [UInt8] {
        Array(([CanonicalExceptionFile.header.joined(separator: ",")] + rows).joined(separator: "\r\n").utf8)
    }

    @Test func anExceptionFileRecordsOpenExceptionsOnceAndNotesTheirChecks() async throws {
        let fixture = try await Fixture()
        let (a, b) = (fixture.checks[0], fixture.checks[1])
        let file = Self.exceptionFile([
            "EX-1,0000987654321,\(a.serial),99999,\(a.amount),\"SMITH, JOHN\",amount_mismatch,return,\(Self.deadline)",
            "EX-2,987654321,555,4200,,UNKNOWN,paid_not_issued,return,\(Self.deadline)",
        ])
        let outcome = try await fixture.ingest.ingest(file, name: "exceptions.csv", source: "t")
        #expect(outcome.kind == .checkExceptions && outcome.status == .processed, "\(outcome)")
        let open = try await fixture.cutoff.store.checkExceptions(merchantID: nil, status: .open)
        #expect(open.map(\.bankReference) == ["EX-1", "EX-2"])
        #expect(open[0].checkID == a.id && open[0].reason == .amountMismatch && open[0].presentedPayee == "SMITH, JOHN")
        #expect(open[1].checkID == nil && open[1].issuedAmount == nil && open[1].defaultDecision == .return)
        #expect(open[0].source == .inboundFile(id: outcome.id, line: 2))
        #expect(try await fixture.cutoff.store.checkHistory(checkID: a.id).last?.reasonCode == "exception_opened")
        #expect(try await fixture.cutoff.store.check(id: b.id).version == b.version)
        // The same exception in another file is noted, not recorded twice.
        let again = try await fixture.ingest.ingest(Self.exceptionFile([
            "EX-1,987654321,\(a.serial),99999,\(a.amount),SMITH,amount_mismatch,return,\(Self.deadline)",
        ]), name: "again.csv", source: "t")
        #expect(again.status == .processed && again.notes.count == 1)
        #expect(try await fixture.cutoff.store.checkExceptions(merchantID: nil, status: nil).count == 2)
    }

    @Test("an exception file cut short by a crash is resumed: each exception recorded once, a duplicate still noted")
    func anExceptionFileResumedAfterACrashRecordsEachOnce() async throws {
        let failOnHit = Countdown()
        let fixture = try await Fixture(faults: FaultInjector { $0 == .afterExceptionsWritten && failOnHit.hit() })
        let a = fixture.checks[0]
        let rows = (1...6).map { "EX-\($0),987654321,\(a.serial),\(10_000 + $0),\(a.amount),PAYEE 0,amount_mismatch,return,\(Self.deadline)" }
            + ["EX-2,987654321,\(a.serial),10002,\(a.amount),PAYEE 0,amount_mismatch,return,\(Self.deadline)"]
        let file = Self.exceptionFile(rows)
        let store = fixture.cutoff.store
        let first = IngestJob(store: store, archive: fixture.cutoff.base.archive, logger: TestLog.logger(), chunkSize: 2)
        failOnHit.set(2)
        await #expect(throws: (any Error).self) { try await first.ingest(file, name: "exceptions.csv", source: "t") }
        #expect(try await store.checkExceptions(merchantID: nil, status: nil).count == 2, "the first piece stayed")
        failOnHit.set(nil)
        let second = IngestJob(store: store, archive: fixture.cutoff.base.archive, logger: TestLog.logger(), chunkSize: 3)
        let resumed = try await second.ingest(file, name: "exceptions.csv", source: "t")
        #expect(resumed.status == .processed, "\(resumed)")
        let recorded = try await store.checkExceptions(merchantID: nil, status: nil)
        #expect(recorded.map(\.bankReference).sorted() == (1...6).map { "EX-\($0)" }, "each once")
        #expect(Set(recorded.map(\.id)).count == 6)
        #expect(resumed.notes.contains { $0.hasPrefix("line 8:") && $0.contains("already recorded") }, "\(resumed.notes)")
    }

    @Test("one bad exception record is refused with a note on the file; the good ones are recorded, the run flagged")
    func anExceptionFileRefusesABadRecordAndKeepsTheOthers() async throws {
        let fixture = try await Fixture()
        let a = fixture.checks[0]
        let past = Timestamp.format(Date().addingTimeInterval(-3_600))
        let bad: [(row: String, says: String)] = [
            ("EX-9,5555,1,100,,X,amount_mismatch,pay,\(Self.deadline)", "not enrolled"),
            ("EX-9,987654321,1,100,,X,not_a_reason,pay,\(Self.deadline)", "is not one of"),
            ("EX-9,987654321,1,100,,X,duplicate,pay,tomorrow", "RFC 3339"),
            ("\"EX,9\",987654321,1,100,,X,duplicate,pay,\(Self.deadline)", "exception_id must be"),
            ("EX-9,987654321,\u{FF11}\u{FF12},100,,X,duplicate,pay,\(Self.deadline)", "serial must be"),
            ("EX-9,987654321,1,99999999999999999999,,X,duplicate,pay,\(Self.deadline)", "presented_amount"),
            ("EX-9,987654321,1,999999999999,,X,duplicate,pay,\(Self.deadline)", "presented_amount must be 1 to"),
            ("EX-9,987654321,1,100,,\"A\u{7}B\",duplicate,pay,\(Self.deadline)", "control characters"),
            ("EX-9,987654321,1,100,,X,duplicate,pay,\(past)", "already passed"),
            ("EX-9,987654321,1,100,,X", "has 6 fields"),
        ]
        for (index, (row, says)) in bad.enumerated() {
            let outcome = try await fixture.ingest.ingest(Self.exceptionFile([
                "EX-8\(index),987654321,\(a.serial),1,\(a.amount),A,amount_mismatch,pay,\(Self.deadline)", row,
            ]), name: "bad\(index).csv", source: "t")
            #expect(outcome.status == .processed, "\(row): \(outcome)")
            #expect(outcome.notes.count == 1 && outcome.notes[0].contains("line 3") && outcome.notes[0].contains(says), "\(row): \(outcome.notes)")
        }
        let recorded = try await fixture.cutoff.store.checkExceptions(merchantID: nil, status: nil)
        #expect(recorded.map(\.bankReference).sorted() == bad.indices.map { "EX-8\($0)" })
        // A header that is not the canonical one cannot be trusted at all: quarantined whole.
        let headless = try await fixture.ingest.ingest(Array("exception_id,account_number,serial\r\nEX-1,1,1\r\n".utf8), name: "h.csv", source: "t")
        #expect(headless.status == .quarantined, "\(headless)")
    }

    @Test("a decision made in time whose file reached the bank after the deadline does not count: the bank's default applied")
    func aDecisionUploadedAfterTheDeadlineIsDeadlinePassed() async throws {
        let fixture = try await Fixture()
        let a = fixture.checks[0]
        let store = fixture.cutoff.store
        let deadline = Date().addingTimeInterval(3_600)
        _ = try await fixture.ingest.ingest(Self.exceptionFile([
            "EX-9,987654321,\(a.serial),99999,\(a.amount),X,amount_mismatch,pay,\(Timestamp.format(deadline))",
        ]), name: "exceptions.csv", source: "t")
        let exception = try #require(try await store.checkExceptions(merchantID: nil, status: .open).first)
        let decided = try await store.decideException(id: exception.id, decision: .return, returnReason: "REFER TO MAKER", actor: .api,
                                                      source: nil, at: Date())
        // Rendered and bound before the deadline, but the bank's server refuses the upload until after it.
        func job(_ directory: String, at now: @escaping @Sendable () -> Date = { Date() }) -> CutoffJob {
            CutoffJob(settings: CutoffJob.Settings(kinds: [CutoffJob.Kind(renderer: DecisionFileRenderer(),
                                                                          destination: LocalDirectoryDestination(directory: directory))],
                                                   archive: fixture.cutoff.base.archive), store: store, logger: TestLog.logger(), now: now)
        }
        // A regular file where the directory should be: every write there fails.
        let unreachable = fixture.cutoff.remote + "/blocked"
        #expect(FileManager.default.createFile(atPath: unreachable, contents: Data()))
        _ = try? await job(unreachable + "/inbox").run()
        let bound = try #require(try await store.decisions(exceptionID: exception.id).first)
        #expect(bound.state == .validated && bound.record != nil, "in a file, not at the bank")

        // The upload goes through two hours later, past the deadline (the job's clock says when).
        let late = { @Sendable in Date().addingTimeInterval(7_200) }
        _ = try await job(fixture.cutoff.remote, at: late).run()
        let file = try #require(try await store.outboundFiles(statuses: [.uploaded]).first { $0.kind == .decisions })
        let refused = try #require(try await store.decisions(exceptionID: exception.id).first)
        #expect(refused.state == .failed && refused.failure?.code == "deadline_passed", "\(refused)")
        #expect(refused.failure?.message.contains(file.name) == true)
        #expect(try await store.decisionHistory(decisionID: decided.id).map(\.toState) == [.created, .validated, .failed])
        // Settled with the bank's default (pay): the check is not returned, and its history says why.
        _ = try await store.closeLapsedExceptions(at: late(), actor: .cutoff)
        #expect(try await store.checkException(id: exception.id).status == .closed)
        let check = try await store.check(id: a.id)
        #expect(check.state != .failed)
        #expect(try await store.checkHistory(checkID: a.id).last?.reasonText.contains("the bank's default") == true)
    }

    @Test("a decision its file cannot carry is left out with a history row and the run flagged; the others go")
    func anUnwritableDecisionIsLeftOutAndTheOthersGo() async throws {
        let fixture = try await Fixture()
        let store = fixture.cutoff.store
        // Recorded before ingest refused such ids: a comma in the bank's id.
        var planner = CheckPlanner(endpoints: [:])
        for (reference, check) in [("EX,1", fixture.checks[0]), ("EX-2", fixture.checks[1])] {
            planner.open(CheckException(
                id: "exc_\(reference.filter(\.isLetter))\(check.serial)", bankReference: reference, merchantID: check.merchantID,
                accountID: fixture.account.id, checkID: check.id, serial: check.serial, presentedAmount: 99_999, issuedAmount: check.amount,
                presentedPayee: "", reason: .amountMismatch, defaultDecision: .pay, deadline: Date().addingTimeInterval(3_600), status: .open,
                source: .operator, createdAt: Date()), on: check)
        }
        try await store.persist(planner.plan)
        let exceptions = try await store.checkExceptions(merchantID: nil, status: .open)
        var made: [String: ExceptionDecision] = [:]
        for exception in exceptions {
            made[exception.bankReference] = try await store.decideException(id: exception.id, decision: .return, returnReason: "REFER TO MAKER",
                                                                            actor: .api, source: nil, at: Date())
        }
        let job = CutoffJob(settings: CutoffJob.Settings(kinds: [CutoffJob.Kind(renderer: DecisionFileRenderer(),
                                                                                destination: LocalDirectoryDestination(directory: fixture.cutoff.remote))],
                                                         archive: fixture.cutoff.base.archive), store: store, logger: TestLog.logger())
        let summary = try await job.run()
        #expect(summary.leftOut.count == 1 && summary.leftOut.first?.contains("exception_id") == true, "\(summary.leftOut)")
        #expect(summary.decisionsSubmitted == 1 && summary.filesUploaded == 1)
        let file = try #require(try await store.outboundFiles(statuses: [.uploaded]).first { $0.kind == .decisions })
        let sent = String(decoding: try fixture.cutoff.sent(file), as: UTF8.self)
        #expect(sent.contains("\r\nEX-2,") && !sent.contains("EX,1"), "\(sent)")
        let refused = try #require(try await store.decisions(exceptionID: made["EX,1"]?.exceptionID).first)
        #expect(refused.state == .failed && refused.failure?.code == "unwritable")
        #expect(try await store.decisionHistory(decisionID: refused.id).last?.reasonCode == "unwritable")
        #expect(try await store.decisions(exceptionID: made["EX-2"]?.exceptionID).first?.state == .submittedToCore)
        // Not tried again: the next run has nothing to leave out or send.
        let again = try await job.run()
        #expect(again.leftOut.isEmpty && again.filesRendered == 0)
    }

    @Test("a duplicate presentment returned by the bank's default returns the duplicate, never the genuine check")
    func aDuplicateReturnedByDefaultLeavesTheGenuineCheck() async throws {
        let fixture = try await Fixture()
        let a = fixture.checks[0]
        let store = fixture.cutoff.store
        _ = try await fixture.ingest.ingest(Self.exceptionFile([
            "EX-DUP,987654321,\(a.serial),\(a.amount),\(a.amount),PAYEE 0,duplicate,return,\(Self.deadline)",
        ]), name: "exceptions.csv", source: "t")
        let closed = try await store.closeLapsedExceptions(at: Date().addingTimeInterval(8 * 86_400), actor: .cutoff)
        #expect(closed.count == 1)
        let check = try await store.check(id: a.id)
        #expect(check.state == .submittedToCore && check.failure == nil, "the genuine check is not returned: \(check.state)")
        #expect(try await store.checkHistory(checkID: a.id).last?.reasonCode == "default_decision")
        // The bank then pays the genuine check: it completes.
        let paid = try await fixture.ingest.ingest(try BankFileFixtures.arpOutput([fixture.record(.paid, a)]), name: "p.txt", source: "t")
        #expect(paid.status == .processed && paid.discrepancies == 0, "\(paid)")
        #expect(try await store.check(id: a.id).state == .completed)
    }

    @Test func decisionsGoInADecisionFileOnceAndALapsedExceptionTakesTheDefault() async throws {
        let fixture = try await Fixture()
        let (a, b) = (fixture.checks[0], fixture.checks[1])
        let later = Timestamp.format(Date().addingTimeInterval(3_600)), earlier = Timestamp.format(Date().addingTimeInterval(-60))
        // Received two minutes ago, before EX-2's deadline, which has passed since.
        let received = Date().addingTimeInterval(-120)
        let ingest = IngestJob(store: fixture.cutoff.store, archive: fixture.cutoff.base.archive, logger: TestLog.logger(), clock: { received })
        _ = try await ingest.ingest(Self.exceptionFile([
            "EX-1,987654321,\(a.serial),99999,\(a.amount),X,amount_mismatch,pay,\(later)",
            "EX-2,987654321,\(b.serial),5,\(b.amount),Y,amount_mismatch,return,\(earlier)",
        ]), name: "exceptions.csv", source: "t")
        let store = fixture.cutoff.store
        let (one, two) = try await { () async throws -> (CheckException, CheckException) in
            let open = try await store.checkExceptions(merchantID: nil, status: .open)
            return (open[0], open[1])
        }()
        await #expect { _ = try await store.decideException(id: one.id, decision: .return, returnReason: nil, actor: .api, source: nil, at: Date()) }
            throws: { ($0 as? PaymentError)?.fieldErrors.first?.field == "return_reason" }
        await #expect { _ = try await store.decideException(id: two.id, decision: .pay, returnReason: nil, actor: .api, source: nil, at: Date()) }
            throws: { ($0 as? PaymentError)?.code == .deadlinePassed }
        let decided = try await store.decideException(id: one.id, decision: .return, returnReason: "refer to maker", actor: .api, source: nil, at: Date())
        #expect(decided.state == .validated && decided.returnReason == "REFER TO MAKER")
        await #expect { _ = try await store.decideException(id: one.id, decision: .pay, returnReason: nil, actor: .api, source: nil, at: Date()) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }

        let kinds = [CutoffJob.Kind(renderer: DecisionFileRenderer(), destination: LocalDirectoryDestination(directory: fixture.cutoff.remote))]
        let job = CutoffJob(settings: CutoffJob.Settings(kinds: kinds, archive: fixture.cutoff.base.archive), store: store,
                            logger: TestLog.logger())
        let summary = try await job.run()
        #expect(summary.decisionsCollected == 1 && summary.decisionsSubmitted == 1 && summary.filesUploaded == 1)
        let file = try #require(try await store.outboundFiles(statuses: nil).first { $0.kind == .decisions })
        #expect(String(decoding: try fixture.cutoff.sent(file), as: UTF8.self)
                == "\(DecisionFileRenderer.header)\r\nEX-1,000987654321,\(a.serial),99999,return,REFER TO MAKER\r\n")
        let sent = try #require(try await store.decisions(exceptionID: one.id).first)
        #expect(sent.state == .submittedToCore && sent.record == CheckIssue.Placement(fileID: file.id, line: 2))
        #expect(try await store.decisionHistory(decisionID: sent.id).map(\.toState) == [.created, .validated, .submittedToCore])
        // The lapsed exception was closed with the bank's default, a return: its check is returned.
        #expect(try await store.checkException(id: two.id).status == .closed)
        #expect(try await store.checkException(id: one.id).status == .decided)
        #expect(try await store.check(id: b.id).failure?.code == "returned")
        // Nothing is sent twice.
        let again = try await job.run()
        #expect(again.decisionsCollected == 0 && again.filesRendered == 0)
        // Past EX-1's deadline the bank has applied the company's return: the decision is complete, a is returned.
        #expect(try await store.closeLapsedExceptions(at: Date().addingTimeInterval(7_200), actor: .cutoff).map(\.id) == [one.id])
        #expect(try await store.decisions(exceptionID: one.id).first?.state == .completed)
        let returned = try await store.check(id: a.id)
        #expect(returned.state == .failed && returned.failure?.code == "returned" && returned.failure?.message.contains(sent.id) == true)
    }
}
