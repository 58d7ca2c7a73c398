import Foundation
import NACHA
import Testing
import TestSupport
import Payments

/// The store contract for jobs and files: leases, the outbound file ledger and its bindings, and
/// the inbound ledger's dedupe.
@Suite struct FileLedgerContractTests {
    static func file(id: String, status: OutboundFileStatus = .rendered, profile: String? = nil) -> OutboundFile {
        OutboundFile(id: id, kind: .nacha, name: "\(id).ach", sha256: String(repeating: "0", count: 64), size: 940, status: status,
                     entryCount: 1, totalDebit: 0, totalCredit: 125_000,
                     nacha: NACHAFileIdentity(immediateOrigin: " 121042882", immediateDestination: " 091000019",
                                              creationDate: ACHDate(year: 2026, month: 12, day: 2), creationTime: ACHTime(hour: 9, minute: 30),
                                              fileIDModifier: id.suffix(1).uppercased(), batchCount: 1, entryAddendaCount: 1,
                                              entryHash: 12104288),
                     archivePath: "/archive/\(id)", createdAt: Date(), updatedAt: Date(), profile: profile)
    }

    /// The plan binding each payment, as read, to its place in file `fileID`.
    static func binding(_ places: [(payment: Payment, batch: Int, trace: Int, line: Int)], fileID: String) throws -> LedgerPlan {
        var planner = LedgerPlanner(endpoints: [:])
        for place in places {
            try planner.bind(place.payment, to: FileBinding(paymentID: place.payment.id, batchNumber: place.batch,
                                                            traceNumber: place.trace, line: place.line), fileID: fileID)
        }
        return planner.plan
    }

    static func inbound(_ id: String, sha: Character = "a", status: InboundFile.Status = .processed) -> InboundFile {
        InboundFile(id: id, sha256: String(repeating: sha, count: 64), kind: .nacha, source: "test", name: "\(id).ach", size: 1,
                    status: status, archivePath: "/archive/\(id)", receivedAt: Date())
    }

    @Test(arguments: StoreImplementation.all)
    func aLiveLeaseIsNeverDisplacedAGoneOrExpiredOneIsTakenOver(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (a, b) = (try await database.open(), try await database.open())
        let later = Date().addingTimeInterval(60)
        try await a.acquireLease("cutoff", owner: "A", holder: "host:1", expiresAt: later) { _ in false }
        await #expect { try await b.acquireLease("cutoff", owner: "B", holder: "host:2", expiresAt: later) { _ in false } }
            throws: { ($0 as? StoreError)?.code == .leaseHeld }
        // The same owner renews its own lease.
        try await a.acquireLease("cutoff", owner: "A", holder: "host:1", expiresAt: later) { _ in false }
        // Another lease name is independent.
        try await b.acquireLease("ingest", owner: "B", holder: "host:2", expiresAt: later) { _ in false }
        // A holder known to be gone is taken over before expiry.
        try await b.acquireLease("cutoff", owner: "B", holder: "host:2", expiresAt: later) { $0 == "host:1" }
        await #expect { try await a.acquireLease("cutoff", owner: "A", holder: "host:1", expiresAt: later) { _ in false } }
            throws: { ($0 as? StoreError)?.code == .leaseHeld }
        // An expired lease is taken over; a released one is free.
        try await b.acquireLease("cutoff", owner: "B", holder: "host:2", expiresAt: Date().addingTimeInterval(-1)) { _ in false }
        try await a.acquireLease("cutoff", owner: "A", holder: "host:1", expiresAt: later) { _ in false }
        // Every lease not released is listed, expired or not, with who took it and when.
        #expect(try await b.leases().map { [$0.name, $0.holder] } == [["cutoff", "host:1"], ["ingest", "host:2"]])
        #expect(try await b.leases().allSatisfy { $0.acquiredAt <= Date() && abs($0.expiresAt.timeIntervalSince(later)) < 0.01 })
        try await a.releaseLease("cutoff", owner: "A")
        #expect(try await a.leases().map(\.name) == ["ingest"])
        try await b.acquireLease("cutoff", owner: "B", holder: "host:2", expiresAt: later) { _ in false }
    }

    @Test(arguments: StoreImplementation.all)
    func theOutboundLedgerBindsUploadsAndCancels(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake((0..<3).map { _ in try Requests.intake(merchant) }).map(\.payment)
        try await store.recordRenderedFile(Self.file(id: "fil_a"), binding: try Self.binding([
            (payments[0], 1, 12104288_0000001, 3), (payments[1], 1, 12104288_0000002, 4),
        ], fileID: "fil_a"))
        #expect(try await store.unboundValidatedPayments(limit: 10).map(\.payment.id) == [payments[2].id])
        // A payment is bound once: a second file binding a payment read before it was bound is refused, and not recorded.
        let stale = try Self.binding([(payments[2], 1, 12104288_0000003, 3), (payments[1], 1, 12104288_0000004, 4)], fileID: "fil_b")
        await #expect { try await store.recordRenderedFile(Self.file(id: "fil_b"), binding: stale) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.outboundFiles(statuses: nil).map(\.id) == ["fil_a"])
        #expect(try await store.outboundFile(id: "fil_a").profile == nil, "a file of a configuration without profiles")
        #expect(try await store.payment(id: payments[2].id).submission == nil)

        // A delivery log per file, oldest first, kept apart from every other file's.
        let tried = Date(timeIntervalSince1970: 1_796_000_000)
        try await store.recordDeliveryFailures([DeliveryFailure(fileID: "fil_a", at: tried, error: "connection refused")])
        try await store.recordDeliveryFailures([DeliveryFailure(fileID: "fil_a", at: tried.addingTimeInterval(2), error: "timed out")])
        #expect(try await store.deliveryFailures(fileIDs: ["fil_a", "fil_none"]).map(\.error) == ["connection refused", "timed out"])
        #expect(try await store.deliveryFailures(fileIDs: ["fil_a"]).first == DeliveryFailure(fileID: "fil_a", at: tried, error: "connection refused"))
        #expect(try await store.deliveryFailures(fileIDs: []).isEmpty)

        #expect(try await store.markUploading(fileID: "fil_a").attempts == 1)
        let uploaded = try await store.markUploaded(fileID: "fil_a", remotePath: "/in/fil_a.ach", actor: .cutoff, at: Date())
        #expect(uploaded.status == .uploaded)
        let history = try await store.history(paymentID: payments[1].id)
        #expect(history.last?.toState == .submittedToCore)
        #expect(history.last?.source == SourceReference.outboundFile(id: "fil_a", line: 4))
        await #expect { try await store.cancelFile(fileID: "fil_a", actor: .operator, reason: "too late") }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { try await store.markUploading(fileID: "fil_a") } throws: { ($0 as? PaymentError)?.code == .invalidStatus }

        try await store.recordRenderedFile(Self.file(id: "fil_c", profile: "backup"), binding: try Self.binding([
            (try await store.payment(id: payments[2].id), 1, 12104288_0000005, 3),
        ], fileID: "fil_c"))
        #expect(try await store.outboundFile(id: "fil_c").profile == "backup", "the profile whose cutoff rendered it")
        #expect(try await store.cancelFile(fileID: "fil_c", actor: .operator, reason: "wrong day").status == .cancelled)
        let released = try await store.payment(id: payments[2].id)
        #expect(released.state == .validated)
        #expect(released.submission == nil)
        #expect(released.version == 3)
        #expect(try await store.history(paymentID: released.id).last?.reasonCode == "file_cancelled")
        #expect(try await store.unboundValidatedPayments(limit: 10).map(\.payment.id) == [payments[2].id])
    }

    @Test(arguments: StoreImplementation.all)
    func aPaymentListFiltersByEachFieldRangesOverCreationAndPagesEitherWay(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let other = try await store.fundedMerchant(1_000_000, name: "other")
        var payments: [Payment] = []
        for amount in [100, 200, 300, 400, 500] as [Int64] {
            payments += try await store.intake([try Requests.intake(merchant, Requests.credit(amount: amount))]).map(\.payment)
            try await Task.sleep(for: .milliseconds(3))  // a distinct creation millisecond each
        }
        let elsewhere = try await store.intake([try Requests.intake(other)])[0].payment
        try await store.recordRenderedFile(Self.file(id: "fil_a"), binding: try Self.binding([
            (payments[1], 1, 12104288_0000007, 3), (payments[3], 1, 12104288_0000008, 4),
        ], fileID: "fil_a"))
        func ids(_ query: PaymentQuery) async throws -> [String] { try await store.payments(query).map(\.id) }
        let mine = payments.map(\.id)

        #expect(try await ids(PaymentQuery(merchantID: merchant.id)) == mine)
        #expect(try await ids(PaymentQuery()) == mine + [elsewhere.id])
        #expect(try await ids(PaymentQuery(merchantID: merchant.id, minimumAmount: 200, maximumAmount: 400)) == Array(mine[1...3]))
        #expect(try await ids(PaymentQuery(traceNumber: 12104288_0000008)) == [mine[3]])
        #expect(try await ids(PaymentQuery(fileID: "fil_a")) == [mine[1], mine[3]])
        #expect(try await ids(PaymentQuery(state: .submittedToCore)).isEmpty)
        #expect(try await ids(PaymentQuery(merchantID: merchant.id, window: ListWindow(since: payments[2].createdAt))) == Array(mine[2...]))
        #expect(try await ids(PaymentQuery(merchantID: merchant.id, window: ListWindow(until: payments[2].createdAt))) == Array(mine[..<2]))
        #expect(try await ids(PaymentQuery(window: ListWindow(since: payments[1].createdAt, until: payments[3].createdAt))) == Array(mine[1...2]))

        // Newest first, two at a time, each page read after the last one's cursor: every payment once, newest first.
        var seen: [String] = []
        var window = ListWindow(newestFirst: true, limit: 2)
        repeat {
            let page = try await ListPage.fetch(window, id: \Payment.id) { try await store.payments(PaymentQuery(merchantID: merchant.id, window: $0)) }
            seen += page.data.map(\.id)
            window.afterID = page.nextCursor.flatMap { ListCursor.decode($0, prefix: Payment.idPrefix) }
        } while window.afterID != nil
        #expect(seen == mine.reversed())
        #expect(try await ids(PaymentQuery(window: ListWindow(afterID: mine[3]))) == [mine[4], elsewhere.id])
        // A page's histories in one read: by payment, then version.
        let histories = try await store.history(paymentIDs: [mine[3], mine[1], "pay_none"])
        #expect(histories == (try await store.history(paymentID: mine[1])) + (try await store.history(paymentID: mine[3])))
        #expect(try await store.history(paymentIDs: []).isEmpty)
    }

    @Test(arguments: StoreImplementation.all)
    func aPaymentIsCancelledUntilItsFileIsSentAndItsFileGoesWithoutIt(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake((0..<4).map { _ in try Requests.intake(merchant) }).map(\.payment)
        #expect(try await store.merchant(merchant.id).balance == 500_000)

        // Not in a file: P_FAILED, cancelled, its funds back; a second cancel changes nothing.
        let cancelled = try await store.cancelPayment(id: payments[0].id, actor: .operator, reason: "wrong amount")
        #expect(cancelled.state == .failed && cancelled.failure?.code == "cancelled" && cancelled.failure?.message == "wrong amount")
        #expect(try await store.merchant(merchant.id).balance == 625_000)
        let history = try await store.history(paymentID: payments[0].id)
        #expect(history.last?.toState == .failed && history.last?.reasonCode == "cancelled" && history.last?.actor == .operator)
        #expect(try await store.cancelPayment(id: payments[0].id, actor: .operator, reason: "again").version == cancelled.version)
        #expect(try await store.history(paymentID: payments[0].id).count == history.count)

        // In a rendered file never sent: the file is cancelled, the others go to the next cutoff.
        try await store.recordRenderedFile(Self.file(id: "fil_x"), binding: try Self.binding([
            (payments[1], 1, 12104288_0000001, 3), (payments[2], 1, 12104288_0000002, 4),
        ], fileID: "fil_x"))
        let taken = try await store.cancelPayment(id: payments[1].id, actor: .operator, reason: "fraud")
        #expect(taken.state == .failed && taken.submission == nil)
        #expect(try await store.outboundFile(id: "fil_x").status == .cancelled)
        let other = try await store.payment(id: payments[2].id)
        #expect(other.state == .validated && other.submission == nil)
        #expect(try await store.history(paymentID: other.id).last?.reasonCode == "file_cancelled")
        #expect(Set(try await store.unboundValidatedPayments(limit: 10).map(\.payment.id)) == [payments[2].id, payments[3].id])
        #expect(try await store.merchant(merchant.id).balance == 750_000)

        // Once its file is at the bank: refused, nothing changed.
        try await store.recordRenderedFile(Self.file(id: "fil_y"), binding: try Self.binding([
            (try await store.payment(id: payments[3].id), 1, 12104288_0000003, 3),
        ], fileID: "fil_y"))
        _ = try await store.markUploading(fileID: "fil_y")
        _ = try await store.markUploaded(fileID: "fil_y", remotePath: "/in/fil_y.ach", actor: .cutoff, at: Date())
        await #expect { try await store.cancelPayment(id: payments[3].id, actor: .operator, reason: "too late") }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        #expect(try await store.payment(id: payments[3].id).state == .submittedToCore)
        #expect(try await store.outboundFile(id: "fil_y").status == .uploaded)
    }

    /// The reads and the write a file's lifecycle is made of: its payments as a plan reads them, and
    /// a change written only while the file is still in the status it was read in.
    @Test(arguments: StoreImplementation.all)
    func aFileChangeIsWrittenOnlyFromTheStatusItWasReadIn(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake((0..<2).map { _ in try Requests.intake(merchant) }).map(\.payment)
        try await store.recordRenderedFile(Self.file(id: "fil_r"), binding: try Self.binding([
            (payments[0], 1, 12104288_0000001, 3), (payments[1], 1, 12104288_0000002, 4),
        ], fileID: "fil_r"))
        let bound = try await store.boundRequests(fileID: "fil_r").sorted { $0.id < $1.id }
        #expect(bound.map(\.id) == payments.map(\.id).sorted())
        let version = try await store.payment(id: payments[0].id).version
        #expect(bound.allSatisfy { $0.state == .validated && $0.version == version && $0.merchantID == merchant.id })
        #expect(try await store.boundRequests(fileID: "fil_none").isEmpty)

        var uploading = try await store.outboundFile(id: "fil_r")
        try uploading.startUpload(at: Date())
        try await store.recordFileChange(uploading, from: .rendered, ledger: LedgerPlan(), checks: CheckPlan())
        #expect(try await store.outboundFile(id: "fil_r").status == .uploading)
        // Another writer's change read the file before this one: refused whole, nothing written.
        var stale = try await store.outboundFile(id: "fil_r")
        try stale.fail(reason: "read before the upload started", at: Date())
        var planner = LedgerPlanner(endpoints: [:])
        _ = try planner.apply([TransitionStep(to: .failed, actor: .operator, reasonCode: "test", reasonText: "moved by the test",
                                             failure: Failure(code: "R01", message: "insufficient funds"))], to: payments[0])
        await #expect { try await store.recordFileChange(stale, from: .rendered, ledger: planner.plan, checks: CheckPlan()) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.outboundFile(id: "fil_r").status == .uploading)
        #expect(try await store.payment(id: payments[0].id).version == version)
    }

    @Test(arguments: StoreImplementation.all)
    func aSealedFileKeepsItsPlaintextAndKeysBesideTheBytesSent(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payment = try await store.intake([try Requests.intake(merchant)])[0].payment
        var file = Self.file(id: "fil_s")
        file.name += ".pgp"
        file.sealing = OutboundFile.Sealing(plaintextSHA256: String(repeating: "1", count: 64), plaintextSize: 940,
                                            plaintextArchivePath: "/archive/plain.ach", recipient: String(repeating: "A", count: 40),
                                            signer: String(repeating: "B", count: 40))
        try await store.recordRenderedFile(file, binding: try Self.binding([(payment, 1, 12104288_0000001, 3)], fileID: file.id))
        let stored = try await store.outboundFile(id: file.id)
        #expect(stored.sealing == file.sealing && stored.name == "fil_s.ach.pgp")
        #expect(try await store.outboundFiles(statuses: [.rendered]).first?.sealing == file.sealing)
        #expect(try await store.markUploaded(fileID: file.id, remotePath: "/in/fil_s.ach.pgp", actor: .cutoff, at: Date()).sealing == file.sealing)
        // An unsealed file has none.
        try await store.recordRenderedFile(Self.file(id: "fil_u"), binding: LedgerPlan())
        #expect(try await store.outboundFile(id: "fil_u").sealing == nil)
    }

    @Test(arguments: StoreImplementation.all)
    func traceNumbersAreNeverHandedOutTwice(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (a, b) = (try await database.open(), try await database.open())
        let starts = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 { group.addTask { try await (index.isMultiple(of: 2) ? a : b).reserveTraceNumbers(odfi: 12104288, count: 10) } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(starts).count == 20)
        #expect(starts.sorted() == stride(from: 1, to: 201, by: 10).map { $0 })
        await #expect { try await a.reserveTraceNumbers(odfi: 12104288, count: TraceSequence.last) }
            throws: { ($0 as? PaymentError)?.code == .traceSequenceExhausted }
    }

    @Test(arguments: StoreImplementation.all)
    func theSameInboundBytesApplyOnce(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payment = try await store.intake([Requests.intake(merchant)])[0].payment
        let submitted = try await store.transition(paymentID: payment.id, steps: [PlanContractTests.step(.submittedToCore)])
        let ack = BankEvent(paymentID: payment.id, kind: .acknowledged, source: .inboundFile(id: "inb_a", line: nil))
        func plan(_ read: Payment) throws -> LedgerPlan {
            var planner = LedgerPlanner(endpoints: [:])
            try planner.apply(ack, to: read)
            return planner.plan
        }
        try await store.applyInbound(Self.inbound("inb_a"), plan: try plan(submitted), after: nil)
        // The same bytes again, under another id and planned afresh: refused, nothing applied twice.
        let again = try plan(try await store.payment(id: payment.id))
        await #expect { try await store.applyInbound(Self.inbound("inb_b"), plan: again, after: nil) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.history(paymentID: payment.id).count == 4)
        #expect(try await store.inboundFile(sha256: String(repeating: "a", count: 64))?.id == "inb_a")
        // A copy is recorded as a duplicate beside the original.
        try await store.recordInbound(Self.inbound("inb_c", status: .duplicate))
        #expect(try await store.inboundFiles().map(\.status) == [.processed, .duplicate])
        // A quarantined file an operator retries moves back to applying once; a second retry, or one of
        // a file that is not quarantined, is refused.
        try await store.recordInbound(Self.inbound("inb_q", sha: "e", status: .quarantined))
        var retried = Self.inbound("inb_q", sha: "e", status: .applying)
        retried.notes = ["retried by ops"]
        try await store.retryInbound(retried)
        #expect(try await store.inboundFile(sha256: String(repeating: "e", count: 64))?.status == .applying)
        #expect(try await store.inboundFile(sha256: String(repeating: "e", count: 64))?.notes == ["retried by ops"])
        await #expect { try await store.retryInbound(retried) } throws: { ($0 as? StoreError)?.code == .conflict }
        await #expect { try await store.retryInbound(Self.inbound("inb_a")) } throws: { ($0 as? StoreError)?.code == .conflict }
        // A quarantined file an operator dismisses is closed once, with who, when, why and its replacement;
        // a dismissal of a file that is not quarantined, or with a replacement that was not processed, changes nothing.
        try await store.recordInbound(Self.inbound("inb_x", sha: "f", status: .quarantined))
        await #expect { _ = try await store.dismissInbound(id: "inb_x", reason: "bad", supersededBy: "inb_q", by: "alice", at: Date()) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { _ = try await store.dismissInbound(id: "inb_a", reason: "bad", supersededBy: nil, by: "alice", at: Date()) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        let at = Date(timeIntervalSince1970: 1_796_000_000)
        let dismissed = try await store.dismissInbound(id: "inb_x", reason: "corrected file sent", supersededBy: "inb_a", by: "alice", at: at)
        #expect(dismissed.status == .dismissed)
        #expect(dismissed.dismissal == InboundFile.Dismissal(person: "alice", reason: "corrected file sent", supersededBy: "inb_a", at: at))
        await #expect { try await store.dismissInbound(id: "inb_x", dismissed.dismissal!) } throws: { ($0 as? StoreError)?.code == .conflict }
        // Other bytes planned on a payment that has moved on since: refused whole, the file not recorded.
        await #expect { try await store.applyInbound(Self.inbound("inb_d", sha: "d"), plan: try plan(submitted), after: nil) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.inboundFile(sha256: String(repeating: "d", count: 64)) == nil)
        #expect(try await store.payments(ids: [payment.id, "pay_unknown"]).keys.sorted() == [payment.id])
        #expect(try await store.payment(id: payment.id).state == .processing)
    }

    @Test(arguments: StoreImplementation.all)
    func anInboundFileIsReadByIdWithEachChangeItMadeInLineOrder(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake([Requests.intake(merchant, key: "a"), Requests.intake(merchant, key: "b")]).map(\.payment)
        var planner = LedgerPlanner(endpoints: [:])
        for (payment, line) in zip(payments, [7, 3]) {
            let submitted = try await store.transition(paymentID: payment.id, steps: [PlanContractTests.step(.submittedToCore)])
            try planner.apply(BankEvent(paymentID: payment.id, kind: .acknowledged, source: .inboundFile(id: "inb_a", line: line)), to: submitted)
        }
        try await store.applyInbound(Self.inbound("inb_a"), plan: planner.plan, after: nil)
        try await store.recordInbound(Self.inbound("inb_q", sha: "e", status: .quarantined))

        #expect(try await store.inboundFile(id: "inb_a").sha256 == String(repeating: "a", count: 64))
        let changes = try await store.changes(byInboundFile: "inb_a")
        #expect(changes.map(\.entry.requestID) == [payments[1].id, payments[0].id], "in the file's line order")
        #expect(changes.map(\.entry.source?.line) == [3, 7] && changes.allSatisfy { $0.subject == .payment })
        #expect(changes.allSatisfy { $0.entry.fromState == .submittedToCore && $0.entry.toState == .processing })
        #expect(try await store.changes(byInboundFile: "inb_q").isEmpty, "a quarantined file changed nothing")
        await #expect { try await store.inboundFile(id: "inb_none") } throws: { ($0 as? PaymentError)?.code == .notFound }
    }

    @Test(arguments: StoreImplementation.all)
    func theDiscrepanciesBankFilesReportedAreListedSinceATime(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake([Requests.intake(merchant, key: "a"), Requests.intake(merchant, key: "b")]).map(\.payment)
        let check = try await Checks.issue(store, try await Checks.account(store, merchant: merchant))
        let before = Date().addingTimeInterval(-1)
        // An acknowledgement for a payment never submitted is a discrepancy; one for a submitted payment is a change.
        var planner = LedgerPlanner(endpoints: [:])
        try planner.apply(BankEvent(paymentID: payments[0].id, kind: .acknowledged, source: .inboundFile(id: "inb_a", line: 4)), to: payments[0])
        let submitted = try await store.transition(paymentID: payments[1].id, steps: [PlanContractTests.step(.submittedToCore)])
        try planner.apply(BankEvent(paymentID: submitted.id, kind: .acknowledged, source: .inboundFile(id: "inb_a", line: 5)), to: submitted)
        var checks = CheckPlanner(endpoints: [:])
        checks.discrepancy(check, "void record at another amount; not applied", source: .inboundFile(id: "inb_a", line: 6))
        #expect(planner.plan.discrepancies.count == 1 && checks.plan.discrepancies.count == 1)
        try await store.applyInbound(Self.inbound("inb_a"), plan: planner.plan, checks: checks.plan, after: nil)

        let listed = try await store.discrepancies(since: before)
        #expect(listed.map(\.subject) == [.payment, .check])
        #expect(listed.map(\.entry.requestID) == [payments[0].id, check.id])
        #expect(listed.map(\.entry.source?.line) == [4, 6])
        #expect(listed.allSatisfy { $0.entry.reasonCode == BankEvent.discrepancyCode && $0.entry.fromState == $0.entry.toState })
        #expect(listed.last?.entry.reasonText.contains("another amount") == true)
        #expect(try await store.discrepancies(since: Date().addingTimeInterval(60)).isEmpty, "none after the time asked")
        #expect(try await store.payment(id: payments[0].id).state == .validated, "a discrepancy changes nothing")
    }

    @Test(arguments: StoreImplementation.all)
    func aFileAppliedInChunksTakesEachChunkOnceAndInOrder(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1_000_000)
        var submitted: [Payment] = []
        for _ in 0..<2 {
            let payment = try await store.intake([Requests.intake(merchant)])[0].payment
            submitted.append(try await store.transition(paymentID: payment.id, steps: [PlanContractTests.step(.submittedToCore)]))
        }
        func plan(_ read: Payment) throws -> LedgerPlan {
            var planner = LedgerPlanner(endpoints: [:])
            try planner.apply(BankEvent(paymentID: read.id, kind: .acknowledged, source: .inboundFile(id: "inb_a", line: nil)), to: read)
            return planner.plan
        }
        var file = Self.inbound("inb_a", status: .applying)
        file.appliedEvents = 1
        try await store.applyInbound(file, plan: try plan(submitted[0]), after: nil)
        #expect(try await store.inboundFile(sha256: String(repeating: "a", count: 64))?.status == .applying)
        // A second run that believes the file is elsewhere is refused, and nothing of its chunk is written.
        file.status = .processed
        file.appliedEvents = 2
        await #expect { try await store.applyInbound(file, plan: try plan(submitted[1]), after: 0) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.payment(id: submitted[1].id).state == .submittedToCore)
        try await store.applyInbound(file, plan: try plan(submitted[1]), after: 1)
        let recorded = try await store.inboundFile(sha256: String(repeating: "a", count: 64))
        #expect(recorded?.status == .processed && recorded?.appliedEvents == 2)
        // A processed file takes no further chunk.
        await #expect { try await store.applyInbound(file, plan: LedgerPlan(), after: 2) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try await store.payments(ids: submitted.map(\.id)).values.allSatisfy { $0.state == .processing })
    }
}
