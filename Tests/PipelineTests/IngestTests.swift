import BankFiles
import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import Testing
import TestSupport

/// Bank files applied to payments a cutoff sent: every order, duplicates and bad input.
@Suite struct IngestTests {
    /// A cutoff to a local outbox, leaving `count` payments P_SUBMITTED_TO_CORE in one file.
    static func submitted(_ count: Int = 4) async throws -> (CutoffFixture, OutboundFile, IngestJob) {
        let fixture = try await CutoffFixture(payments: count)
        let outbox = fixture.database.directory.appendingPathComponent("outbox").path
        _ = try await fixture.job(LocalDirectoryDestination(directory: outbox)).run()
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        let job = IngestJob(store: fixture.store, archive: fixture.archive, logger: TestLog.logger())
        return (fixture, file, job)
    }

    static func bound(_ fixture: CutoffFixture, _ file: OutboundFile) async throws -> [(payment: Payment, binding: FileBinding)] {
        try await fixture.store.filePayments(fileID: file.id)
    }

    static func states(_ fixture: CutoffFixture) async throws -> [PaymentState] {
        try await fixture.store.payments(PaymentQuery()).map(\.state)
    }

    @Test(arguments: [BankFileFixtures.AckForm.lines, .raw])
    func acceptedAcknowledgementMovesToProcessingOnce(form: BankFileFixtures.AckForm) async throws {
        let (fixture, file, job) = try await Self.submitted()
        let ack = BankFileFixtures.acknowledgement(of: file, form: form)
        let first = try await job.ingest(ack, name: "ack.txt", source: "test")
        #expect(first.status == .processed && first.kind == .fedACHAcknowledgement && first.applied == 4)
        #expect(try await Self.states(fixture).allSatisfy { $0 == .processing })
        let again = try await job.ingest(ack, name: "ack-copy.txt", source: "test")
        #expect(again.status == .duplicate && again.applied == 0)
        #expect(try await fixture.store.inboundFiles().map(\.status) == [.processed, .duplicate])
    }

    @Test func batchLevelRejectionFailsThatBatchOnly() async throws {
        let (fixture, file, job) = try await Self.submitted(6)
        let bound = try await Self.bound(fixture, file)
        let rejected = try #require(bound.first { $0.payment.direction == .debit }?.binding.batchNumber)
        let inBatch = bound.filter { $0.binding.batchNumber == rejected }
        let debit = inBatch.reduce(Int64(0)) { $0 + ($1.payment.direction == .debit ? $1.payment.amount : 0) }
        let ack = BankFileFixtures.acknowledgement(of: file, status: "FILE ACCEPTED WITH BATCH LEVEL ERRORS",
                                                   rejectedBatches: [(rejected, inBatch.count, debit, 0)])
        let outcome = try await job.ingest(ack, name: "ack.txt", source: "test")
        #expect(outcome.status == .processed)
        for entry in try await Self.bound(fixture, file) {
            let payment = try await fixture.store.payment(id: entry.payment.id)
            if entry.binding.batchNumber == rejected {
                #expect(payment.state == .failed && payment.failure?.code == "BH232")
            } else {
                #expect(payment.state == .processing)
            }
        }
    }

    @Test func rejectedFileFailsEveryPaymentAndReleasesFunds() async throws {
        let (fixture, file, job) = try await Self.submitted(3)
        let before = try await fixture.store.merchant(fixture.merchant.id).balance
        let ack = BankFileFixtures.acknowledgement(of: file, status: "FILE REJECTED WITH FILE LEVEL ERRORS",
                                                   fileMessages: ["FH012-INVALID IMMEDIATE ORIGIN ON FILE HEADER"])
        _ = try await job.ingest(ack, name: "ack.txt", source: "test")
        let payments = try await fixture.store.payments(PaymentQuery())
        #expect(payments.allSatisfy { $0.state == .failed && $0.failure?.code == "FH012" })
        let credits = payments.filter { $0.direction == .credit }.reduce(Int64(0)) { $0 + $1.amount }
        #expect(try await fixture.store.merchant(fixture.merchant.id).balance == before + credits)
    }

    @Test func pendedFileChangesNoStateButLeavesANoteAndAnAlert() async throws {
        let (fixture, file, job) = try await Self.submitted(2)
        let outcome = try await job.ingest(BankFileFixtures.acknowledgement(of: file, status: "FILE PENDED WITH FILE LEVEL ERRORS"),
                                           name: "pended.txt", source: "test")
        #expect(outcome.status == .processed && !outcome.notes.isEmpty)
        #expect(try await Self.states(fixture).allSatisfy { $0 == .submittedToCore })
        let payment = try #require(try await fixture.store.payments(PaymentQuery()).first)
        #expect(try await fixture.store.history(paymentID: payment.id).last?.reasonCode == "file_pended")
        // The later "pended file accepted" report resolves it.
        _ = try await job.ingest(BankFileFixtures.acknowledgement(of: file, status: "PENDED FILE ACCEPTED"), name: "later.txt", source: "test")
        #expect(try await Self.states(fixture).allSatisfy { $0 == .processing })
    }

    @Test func acknowledgementForAnUnknownFileOrWithOtherTotalsIsQuarantined() async throws {
        let (fixture, file, job) = try await Self.submitted(2)
        var other = file
        other.nacha?.fileIDModifier = "Z"
        let unknown = try await job.ingest(BankFileFixtures.acknowledgement(of: other), name: "a.txt", source: "test")
        #expect(unknown.status == .quarantined && unknown.reason?.contains("matches no file") == true)
        let mismatch = try await job.ingest(BankFileFixtures.acknowledgement(of: file, totalCredit: file.totalCredit + 1),
                                            name: "b.txt", source: "test")
        #expect(mismatch.status == .quarantined && mismatch.reason?.contains("credits") == true)
        #expect(try await Self.states(fixture).allSatisfy { $0 == .submittedToCore })
    }

    @Test func returnBeforeAcknowledgementRecordsTheImpliedStep() async throws {
        let (fixture, file, job) = try await Self.submitted(3)
        let target = try #require(try await Self.bound(fixture, file).first)
        let returned = try BankFileFixtures.returns([(target.payment, target.binding.traceNumber, "R01")])
        let outcome = try await job.ingest(returned, name: "returns.ach", source: "test")
        #expect(outcome.status == .processed && outcome.kind == .nacha && outcome.applied == 2)
        let payment = try await fixture.store.payment(id: target.payment.id)
        #expect(payment.state == .failed && payment.failure?.code == "R01")
        let history = try await fixture.store.history(paymentID: payment.id)
        #expect(history.suffix(2).map(\.toState) == [.processing, .failed])
        #expect(history.suffix(2).first?.reasonCode == "implied_acknowledgement")
        #expect(history.last?.source?.line == 3)
        // The acknowledgement that comes later changes the others, not the returned one.
        _ = try await job.ingest(BankFileFixtures.acknowledgement(of: file), name: "ack.txt", source: "test")
        #expect(try await fixture.store.payment(id: target.payment.id).state == .failed)
        #expect(try await Self.states(fixture).filter { $0 == .processing }.count == 2)
        // A second, different file repeating the same return applies nothing.
        let repeated = try BankFileFixtures.returns([(target.payment, target.binding.traceNumber, "R01")], modifier: "S")
        let second = try await job.ingest(repeated, name: "returns-2.ach", source: "test")
        #expect(second.status == .processed && second.applied == 0)
    }

    @Test func settlementBeforeAcknowledgementThenLateReturn() async throws {
        let (fixture, file, job) = try await Self.submitted(3)
        let bound = try await Self.bound(fixture, file)
        // One settlement detail per batch: credit batches settle with a debit to our account (466), debits with 165.
        var batches: [Int: (credit: Bool, total: Int64, date: ACHDate)] = [:]
        for entry in bound {
            let credit = entry.payment.direction == .credit
            batches[entry.binding.batchNumber, default: (credit, 0, entry.binding.effectiveDate ?? ACHDate(year: 2026, month: 1, day: 1))].total += entry.payment.amount
        }
        let date = try #require(bound.first?.binding.effectiveDate)
        let details = batches.sorted { $0.key < $1.key }.map { (typeCode: $0.value.credit ? "466" : "165", amount: $0.value.total) }
        let settled = try await job.ingest(BankFileFixtures.settlement(asOf: date, details: details), name: "bai.txt", source: "test")
        #expect(settled.status == .processed && settled.notes.isEmpty)
        #expect(try await Self.states(fixture).allSatisfy { $0 == .completed })
        let history = try await fixture.store.history(paymentID: bound[0].payment.id)
        #expect(history.suffix(2).map(\.toState) == [.processing, .completed])
        // The acknowledgement after settlement changes nothing.
        let ack = try await job.ingest(BankFileFixtures.acknowledgement(of: file), name: "ack.txt", source: "test")
        #expect(ack.applied == 0)
        // A return for a completed payment: a late return, flagged.
        let returned = try await job.ingest(try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R10")]),
                                            name: "late.ach", source: "test")
        #expect(returned.applied == 1)
        let payment = try await fixture.store.payment(id: bound[0].payment.id)
        #expect(payment.state == .failed && payment.failure?.message.contains("after settlement") == true)
        #expect(payment.failure?.message.contains("unauthorized") == true)
    }

    @Test func unmatchedSettlementIsReportedNotGuessed() async throws {
        let (fixture, file, job) = try await Self.submitted(2)
        let date = try #require(try await Self.bound(fixture, file).first?.binding.effectiveDate)
        let outcome = try await job.ingest(BankFileFixtures.settlement(asOf: date, details: [("166", 123_456)]), name: "bai.txt", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 0 && outcome.notes.count == 1)
        #expect(try await Self.states(fixture).allSatisfy { $0 == .submittedToCore })
    }

    @Test func notificationOfChangeCorrectsLaterPayments() async throws {
        let (fixture, file, job) = try await Self.submitted(1)
        let target = try #require(try await Self.bound(fixture, file).first)
        let noc = try BankFileFixtures.notificationsOfChange([(target.payment, target.binding.traceNumber, "C01", "99887766")])
        let outcome = try await job.ingest(noc, name: "noc.ach", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 1)
        let payment = try await fixture.store.payment(id: target.payment.id)
        #expect(payment.state == .submittedToCore)
        #expect(payment.counterparty.accountNumber == "99887766")
        let note = try #require(try await fixture.store.history(paymentID: payment.id).last)
        #expect(note.reasonCode == "C01" && note.fromState == note.toState && !note.reasonText.contains("99887766"))
        // The next payment to the old account goes to the corrected one.
        let next = try await fixture.store.intake([Requests.intake(fixture.merchant)])[0].payment
        #expect(next.counterparty.accountNumber == "99887766")
    }

    @Test("corrected data that a payment request could not carry is recorded on the payment, never applied, and the file flagged")
    func aNotificationOfChangeWithUnusableDataIsNotedNotApplied() async throws {
        let cases: [(code: String, corrected: String, problem: String)] = [
            ("C01", "ABC/DEF&123", "may contain only digits, letters and hyphens"),
            ("C01", "-", "at least one digit"),
            ("C01", "12345678901234567890123456789", "holds more than the C01 layout reads"),
            ("C05", "99", "not a checking or savings entry code"),
            ("C02", "121042883", "routing number"),
        ]
        for (code, corrected, problem) in cases {
            let (fixture, file, job) = try await Self.submitted(1)
            let target = try #require(try await Self.bound(fixture, file).first)
            let before = try await fixture.store.payment(id: target.payment.id)
            let noc = try BankFileFixtures.notificationsOfChange([(target.payment, target.binding.traceNumber, code, corrected)])
            let outcome = try await job.ingest(noc, name: "noc.ach", source: "test")
            #expect(outcome.status == .processed && outcome.noted == 1, "\(code) \(corrected): \(outcome)")
            #expect(outcome.notes.first?.contains(problem) == true, "\(code) \(corrected): \(outcome.notes)")
            let payment = try await fixture.store.payment(id: target.payment.id)
            #expect(payment.counterparty == before.counterparty, "\(code) \(corrected): nothing corrected")
            let note = try #require(try await fixture.store.history(paymentID: payment.id).last)
            #expect(note.reasonCode == code && note.reasonText.contains("not applied"), "\(note)")
            // The next payment to the same account keeps the details it was asked with.
            let next = try await fixture.store.intake([Requests.intake(fixture.merchant)])[0].payment
            #expect(next.counterparty.accountNumber == before.counterparty.accountNumber)
            #expect(next.counterparty.accountType == before.counterparty.accountType)
        }
    }

    @Test func unknownTracesAndBadInputAreQuarantinedAndApplyNothing() async throws {
        let (fixture, file, job) = try await Self.submitted(2)
        let bound = try await Self.bound(fixture, file)
        var stranger = bound[0].payment
        stranger.id = "pay_stranger"
        let unknownTrace = try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R01"),
                                                         (stranger, 12_104_288_9_999_999, "R01")])
        let good = try BankFileFixtures.returns([(bound[1].payment, bound[1].binding.traceNumber, "R03")], modifier: "T")
        let text = String(decoding: good, as: UTF8.self)
        let inputs: [(String, [UInt8], String?)] = [
            ("unknown-trace.ach", unknownTrace, "never sent"),
            ("truncated.ach", Array(good.prefix(300)), "invalid NACHA"),
            ("wrong-totals.ach", Array(text.replacingOccurrences(of: "\n9000001", with: "\n9000002").utf8), "invalid NACHA"),
            // Read in pieces, a format error found at the end still comes before the unknown trace found first.
            ("unknown-and-wrong-totals.ach", Array(String(decoding: unknownTrace, as: UTF8.self)
                .replacingOccurrences(of: "\n9000001", with: "\n9000002").utf8), "invalid NACHA"),
            ("garbage.bin", (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 37) }, "not a NACHA"),
            ("empty.txt", [], "empty"),
            ("blank.txt", Array("\n\n".utf8), "not a NACHA"),
            ("bad.bai", Array(String(decoding: BankFileFixtures.settlement(asOf: ACHDate(year: 2026, month: 11, day: 24), details: [("165", 5)]), as: UTF8.self)
                .replacingOccurrences(of: "99,1000005", with: "99,1000006").utf8), "invalid BAI2"),
        ]
        for (name, bytes, reason) in inputs {
            let outcome = try await job.ingest(bytes, name: name, source: "test")
            #expect(outcome.status == .quarantined, "\(name)")
            #expect(outcome.reason?.contains(reason ?? "") == true, "\(name): \(outcome.reason ?? "")")
        }
        #expect(try await Self.states(fixture).allSatisfy { $0 == .submittedToCore })
        // CRLF with no final newline is still a good file; the bad ones did not stop it.
        let crlf = Array(text.split(separator: "\n").joined(separator: "\r\n").utf8)
        let outcome = try await job.ingest(crlf, name: "crlf.ach", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 2)
        #expect(try await fixture.store.payment(id: bound[1].payment.id).failure?.code == "R03")
    }

    /// A record of `bytes` edited at a 1-based position, for every record of `type`.
    static func editing(_ bytes: [UInt8], type: Character, at start: Int, with text: String) -> [UInt8] {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.first == type else { return String(line) }
            var characters = Array(line)
            characters.replaceSubrange((start - 1)..<(start - 1 + text.count), with: Array(text))
            return String(characters)
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// Tolerant where we receive: a return file other software wrote (company identification aligned
    /// apart, trailing spaces stripped) is applied, its warnings kept with it in the inbound ledger and
    /// shown by reconcile; a wrong total in the same file still quarantines it.
    @Test func aNonconformingButUnambiguousReturnFileIsAppliedWithItsWarningsRecorded() async throws {
        let (fixture, file, job) = try await Self.submitted(3)
        let bound = try await Self.bound(fixture, file)
        var bytes = try BankFileFixtures.returns(bound.prefix(2).map { ($0.payment, $0.binding.traceNumber, "R01") })
        bytes = Self.editing(bytes, type: "5", at: 41, with: "123456789 ")
        bytes = Self.editing(bytes, type: "8", at: 45, with: " 123456789")
        let stripped = Array(String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n").utf8)

        let wrongTotal = Array(String(decoding: stripped, as: UTF8.self).replacingOccurrences(of: "\n9000001", with: "\n9000002").utf8)
        let refused = try await job.ingest(wrongTotal, name: "wrong-total.ach", source: "test")
        #expect(refused.status == .quarantined && refused.reason?.contains("FC-BATCH-COUNT") == true, "\(refused.reason ?? "")")
        #expect(try await Self.states(fixture).allSatisfy { $0 == .submittedToCore })

        let outcome = try await job.ingest(stripped, name: "tolerant.ach", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 4, "two returns, each with its implied PROCESSING")
        #expect(outcome.notes.contains { $0.contains("warning BC-COMPANY-ID-ALIGNMENT") })
        #expect(outcome.notes.contains { $0.contains("warning REC-SHORT-LINE") })
        for entry in bound.prefix(2) {
            #expect(try await fixture.store.payment(id: entry.payment.id).failure?.code == "R01")
        }
        let recorded = try #require(try await fixture.store.inboundFiles().first { $0.name == "tolerant.ach" })
        #expect(recorded.status == .processed && recorded.notes == outcome.notes)
        let report = try await Reconciliation.run(store: fixture.store)
        #expect(report.inbound.first { $0.id == recorded.id }?.notes == outcome.notes)
        #expect(report.inbound.contains { $0.name == "wrong-total.ach" && $0.status == .quarantined })
    }

    /// A NOC file whose COR batch carries a zero effective date corrects the payment, with the warning.
    @Test func aNOCFileWithAZeroEffectiveDateIsApplied() async throws {
        let (fixture, file, job) = try await Self.submitted(1)
        let target = try #require(try await Self.bound(fixture, file).first)
        let noc = Self.editing(try BankFileFixtures.notificationsOfChange([(target.payment, target.binding.traceNumber, "C01", "99887766")]),
                               type: "5", at: 70, with: "000000")
        let outcome = try await job.ingest(noc, name: "noc.ach", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 1)
        #expect(outcome.notes.contains { $0.contains("warning BH-EFFECTIVE-DATE-ZERO") })
        #expect(try await fixture.store.payment(id: target.payment.id).counterparty.accountNumber == "99887766")
    }
}
