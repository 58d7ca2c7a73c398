import Foundation
import NACHA
import Payments
import Testing
import TestSupport

/// The store contract for Positive Pay: enrolled accounts, check intake with its idempotency and
/// live-serial rules, voids, and issue files binding, uploading and cancelling their records.
@Suite struct CheckContractTests {
    static func issueFile(id: String, entries: Int) -> OutboundFile {
        OutboundFile(id: id, kind: .positivePay, name: "\(id).txt", sha256: String(repeating: "0", count: 64), size: 96,
                     status: .rendered, entryCount: entries, totalDebit: 0, totalCredit: 0, archivePath: "/archive/\(id)",
                     createdAt: Date(), updatedAt: Date())
    }

    @Test(arguments: StoreImplementation.all)
    func anAccountIsEnrolledOncePerRoutingWhateverItsLeadingZerosUntilItIsDisabled(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let (one, two) = (try await store.fundedMerchant(1), try await store.addMerchant(name: "other", companyID: "2222222222",
                                                                                          companyName: "OTHER"))
        let first = try await Checks.account(store, merchant: one, accountNumber: "000123456789")
        // The same number without its zeros, by another merchant: refused, naming the existing enrolment.
        for (merchant, number) in [(two, "123456789"), (one, "0123456789"), (two, "000000000123456789")] {
            await #expect { _ = try await Checks.account(store, merchant: merchant, accountNumber: number) } throws: {
                let error = $0 as? PaymentError
                return error?.code == .duplicateAccount && error?.message.contains(first.id) == true && !"\($0)".contains(number)
            }
        }
        // All zeros is one account too.
        _ = try await Checks.account(store, merchant: one, accountNumber: "0")
        await #expect { _ = try await Checks.account(store, merchant: two, accountNumber: "000") } throws: {
            ($0 as? PaymentError)?.code == .duplicateAccount
        }
        // Another routing number is another account.
        let elsewhere = try await store.addCheckAccount(try CheckAccount.enrol(merchantID: two.id, routingNumber: "091000019",
                                                                                accountNumber: "123456789", layout: .arp, payeeMatch: false))
        #expect(elsewhere.isEnabled)
        // Disabled, the enrolment stops holding the number: the other merchant may enrol it; it takes no checks.
        let disabled = try await store.disableCheckAccount(id: first.id, at: Date())
        let reread = try await store.checkAccount(id: first.id)
        #expect(disabled.disabledAt != nil && reread.disabledAt != nil)
        await #expect { _ = try await store.disableCheckAccount(id: first.id, at: Date()) } throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { _ = try await store.disableCheckAccount(id: "acc_none", at: Date()) } throws: { ($0 as? PaymentError)?.code == .notFound }
        let moved = try await Checks.account(store, merchant: two, accountNumber: "123456789")
        #expect(moved.merchantID == two.id)
        #expect { _ = try Checks.request(disabled).validate(for: disabled, rules: CheckRules()) } throws: {
            ($0 as? PaymentError)?.fieldErrors.map(\.code) == ["disabled_account"]
        }
        // Two enrolments of one number at once: one is refused.
        let racing = try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in ["55501", "0055501"] {
                group.addTask {
                    do {
                        _ = try await Checks.account(store, merchant: number.count > 5 ? two : one, accountNumber: number)
                        return true
                    } catch let error as PaymentError where error.code == .duplicateAccount {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(racing.filter { $0 }.count == 1 && racing.count == 2)
    }

    /// What check intake plans from, in the intakes' order: the key's check with its fingerprint,
    /// the account, the account's live check with the serial.
    @Test(arguments: StoreImplementation.all)
    func checkIntakeReadsWhatItPlansFrom(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let used = try Checks.intake(account, key: "k1", Checks.request(account, serial: "10001"))
        let first = try await store.issueChecks([used])[0].check
        let sameSerial = try Checks.intake(account, key: "k2", Checks.request(account, serial: "10001"))
        var unknown = account
        unknown.id = "acc_none"
        let reads = try await store.checkIntakeReads([sameSerial, used, try Checks.intake(unknown, Checks.request(unknown, serial: "7"))])
        #expect(reads.count == 3)
        #expect(reads[0].existing == nil && reads[0].liveSerial?.id == first.id && reads[0].account?.id == account.id)
        #expect(reads[1].existing?.check.id == first.id && reads[1].existing?.fingerprint == used.check.fingerprint)
        #expect(reads[2].account == nil && reads[2].liveSerial == nil)
    }

    @Test(arguments: StoreImplementation.all)
    func accountsEnrolOnceAndIntakeKeepsKeysAndLiveSerials(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let stored = try await store.checkAccount(id: account.id)
        #expect(stored.accountNumber == "000123456789" && stored.layout == .arp && stored.merchantID == merchant.id)
        await #expect { _ = try await Checks.account(store, merchant: merchant) } throws: {
            ($0 as? PaymentError)?.code == .duplicateAccount && !"\($0)".contains("000123456789")
        }
        let stranger = try CheckAccount.enrol(merchantID: "mer_none", routingNumber: "121042882", accountNumber: "1", layout: .csv,
                                              payeeMatch: false)
        await #expect { _ = try await store.addCheckAccount(stranger) } throws: { ($0 as? PaymentError)?.code == .merchantNotFound }
        #expect(try await store.checkAccounts(merchantID: merchant.id).map(\.id) == [account.id])

        let first = try await Checks.issue(store, account, serial: "0010001", key: "k1")
        #expect(first.state == .validated)
        #expect(first.serial == "10001")
        #expect(try await store.checkHistory(checkID: first.id).map(\.toState) == [.created, .validated])
        // The same key and request: the same check, nothing new.
        let again = try await store.issueChecks([Checks.intake(account, key: "k1", Checks.request(account, serial: "0010001"))])[0]
        #expect(again.created == false)
        #expect(again.check.id == first.id)
        await #expect { _ = try await store.issueChecks([Checks.intake(account, key: "k1", Checks.request(account, amount: 1))]) } throws: {
            ($0 as? PaymentError)?.code == .idempotencyKeyReused
        }
        // The serial is live: another check with it fails, and says which one holds it.
        let duplicate = try await Checks.issue(store, account, serial: "10001")
        #expect(duplicate.state == .failed)
        #expect(duplicate.failure?.code == "serial_live")
        #expect(duplicate.failure?.message.contains(first.id) == true)
        // Voided before it was sent: cancelled, and the serial is free again.
        let cancelled = try await store.voidCheck(id: first.id, actor: .api, source: nil)
        #expect(cancelled.state == .failed)
        #expect(cancelled.failure?.code == "cancelled")
        #expect(try await Checks.issue(store, account, serial: "10001").state == .validated)
        #expect(try await store.checks(CheckQuery(accountID: account.id, state: .failed)).count == 2)
        // An unknown account is bad input: nothing is stored.
        var other = account
        other.id = "acc_none"
        await #expect { _ = try await store.issueChecks([Checks.intake(other, Checks.request(other, serial: "7"))]) } throws: {
            ($0 as? PaymentError)?.fieldErrors.first?.code == "unknown_account"
        }
        #expect(try await store.checks(CheckQuery()).count == 3)
        // The list's filters and window.
        try await Task.sleep(for: .milliseconds(3))  // a creation millisecond of its own
        let big = try await Checks.issue(store, account, serial: "20002", amount: 90_000)
        #expect(try await store.checks(CheckQuery(minimumAmount: 50_000)).map(\.id) == [big.id])
        #expect(try await store.checks(CheckQuery(maximumAmount: 50_000)).count == 3)
        #expect(try await store.checks(CheckQuery(serial: "20002")).map(\.id) == [big.id])
        #expect(try await store.checks(CheckQuery(window: ListWindow(newestFirst: true, limit: 1))).map(\.id) == [big.id])
        #expect(try await store.checks(CheckQuery(window: ListWindow(newestFirst: true, afterID: big.id))).count == 3)
        #expect(try await store.checks(CheckQuery(window: ListWindow(since: big.createdAt))).map(\.id) == [big.id])
        #expect(try await store.checks(CheckQuery(window: ListWindow(until: first.createdAt))).isEmpty)
        #expect(try await store.checks(CheckQuery(fileID: "fil_none")).isEmpty)
        let histories = try await store.checkHistory(checkIDs: [big.id, first.id])
        #expect(histories == (try await store.checkHistory(checkID: first.id)) + (try await store.checkHistory(checkID: big.id)))
    }

    @Test(arguments: StoreImplementation.all)
    func issueFilesBindUploadAndCancelTheirRecordsAndVoidsFollowTheCheck(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let a = try await Checks.issue(store, account, serial: "1")
        let b = try await Checks.issue(store, account, serial: "2")
        #expect(try await store.pendingCheckRecords(limit: 10).map(\.check.id) == [a.id, b.id])

        // A file that is cancelled before upload releases its records.
        let cancelled = Self.issueFile(id: "fil_c", entries: 2)
        var planner = CheckPlanner(endpoints: [:])
        try planner.bindIssue(a, fileID: cancelled.id, line: 1)
        try planner.bindIssue(b, fileID: cancelled.id, line: 2)
        try await store.recordRenderedFile(cancelled, checks: planner.plan)
        #expect(try await store.pendingCheckRecords(limit: 10).isEmpty)
        #expect(try await store.fileChecks(fileID: cancelled.id).map(\.id) == [a.id, b.id])
        _ = try await store.cancelFile(fileID: cancelled.id, actor: .operator, reason: "test")
        #expect(try await store.pendingCheckRecords(limit: 10).count == 2)

        // A check bound from an outdated read refuses the whole file.
        let file = Self.issueFile(id: "fil_u", entries: 2)
        var stale = CheckPlanner(endpoints: [:])
        try stale.bindIssue(a, fileID: file.id, line: 1)
        await #expect { try await store.recordRenderedFile(file, checks: stale.plan) } throws: { ($0 as? StoreError)?.code == .conflict }

        planner = CheckPlanner(endpoints: [:])
        try planner.bindIssue(try await store.check(id: a.id), fileID: file.id, line: 1)
        try planner.bindIssue(try await store.check(id: b.id), fileID: file.id, line: 2)
        try await store.recordRenderedFile(file, checks: planner.plan)
        // Voiding a check whose file is on its way waits for the file; it is not cancelled.
        let waiting = try await store.voidCheck(id: b.id, actor: .api, source: nil)
        #expect(waiting.state == .validated)
        #expect(waiting.voidRequestedAt != nil)
        _ = try await store.markUploading(fileID: file.id)
        _ = try await store.markUploaded(fileID: file.id, remotePath: "/in/fil_u.txt", actor: .cutoff, at: Date())
        let sent = try await store.check(id: a.id)
        #expect(sent.state == .submittedToCore)
        let last = try #require(try await store.checkHistory(checkID: a.id).last)
        #expect(last.source == .outboundFile(id: file.id, line: 1))
        #expect(last.reasonCode == "file_uploaded")
        // Now at the bank, b's void is due in the next file.
        let due = try await store.pendingCheckRecords(limit: 10)
        #expect(due.map(\.action) == [.void])
        #expect(due.map(\.check.id) == [b.id])
        let voids = Self.issueFile(id: "fil_v", entries: 1)
        planner = CheckPlanner(endpoints: [:])
        try planner.bindVoid(due[0].check, fileID: voids.id, line: 1)
        try await store.recordRenderedFile(voids, checks: planner.plan)
        _ = try await store.markUploaded(fileID: voids.id, remotePath: "/in/fil_v.txt", actor: .cutoff, at: Date())
        let voided = try await store.check(id: b.id)
        #expect(voided.state == .submittedToCore)
        #expect(voided.voidRecord == CheckIssue.Placement(fileID: voids.id, line: 1))
        #expect(try await store.checkHistory(checkID: b.id).last?.reasonCode == "void_sent")
        #expect(try await store.pendingCheckRecords(limit: 10).isEmpty)
    }

    @Test(arguments: StoreImplementation.all)
    func twoWritersRegisteringOneSerialLeaveOneLiveCheck(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let (a, b) = (try await database.open(), try await database.open())
        let merchant = try await a.fundedMerchant(1)
        let account = try await Checks.account(a, merchant: merchant)
        let states = try await withThrowingTaskGroup(of: PaymentState.self) { group in
            for (index, store) in [a, b, a, b].enumerated() {
                group.addTask { try await Checks.issue(store, account, serial: "555", key: "key-\(index)").state }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(states.filter { $0 == .validated }.count == 1)
        #expect(states.filter { $0 == .failed }.count == 3)
    }

    @Test(arguments: StoreImplementation.all)
    func exceptionsAreRecordedOncePerBankReferenceAndListedByStatus(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let check = try await Checks.issue(store, account)
        let deadline = Date(timeIntervalSince1970: 1_796_396_400)
        func exception(_ reference: String, check: CheckIssue?) -> CheckException {
            CheckException(id: "exc_" + reference, bankReference: reference, merchantID: merchant.id, accountID: account.id,
                           checkID: check?.id, serial: check?.serial ?? "9", presentedAmount: 500, issuedAmount: check?.amount,
                           presentedPayee: "SOMEONE", reason: check == nil ? .paidNotIssued : .amountMismatch, defaultDecision: .return,
                           deadline: deadline, status: .open, source: .inboundFile(id: "inb_x", line: 2), createdAt: Date())
        }
        var planner = CheckPlanner(endpoints: [:])
        planner.open(exception("A", check: check), on: check)
        planner.open(exception("B", check: nil), on: nil)
        try await store.persist(planner.plan)
        let listed = try await store.checkExceptions(merchantID: merchant.id, status: .open)
        #expect(listed.map(\.id) == ["exc_A", "exc_B"])
        #expect(listed[0].deadline == deadline && listed[0].issuedAmount == check.amount && listed[1].checkID == nil)
        #expect(listed[1].source == .inboundFile(id: "inb_x", line: 2))
        #expect(try await store.checkExceptions(merchantID: nil, status: .decided).isEmpty)
        #expect(try await store.checkException(accountID: account.id, bankReference: "B")?.id == "exc_B")
        #expect(try await store.checkHistory(checkID: check.id).last?.reasonCode == "exception_opened")
        // The same bank reference on the account again refuses the plan, and nothing of it is written.
        var duplicate = exception("A", check: nil)
        duplicate.id = "exc_A2"
        var again = CheckPlanner(endpoints: [:])
        again.open(duplicate, on: nil)
        await #expect(throws: StoreError.self) { try await store.persist(again.plan) }
        #expect(try await store.checkExceptions(merchantID: nil, status: nil).count == 2)
    }

    @Test(arguments: StoreImplementation.all)
    func decisionsAreMadeOnceBeforeTheDeadlineSentInAFileAndLapsedExceptionsClose(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let check = try await Checks.issue(store, account)
        func exception(_ reference: String, deadline: Date) -> CheckException {
            CheckException(id: "exc_" + reference, bankReference: reference, merchantID: merchant.id, accountID: account.id,
                           checkID: check.id, serial: check.serial, presentedAmount: 500, issuedAmount: check.amount, presentedPayee: "X",
                           reason: .amountMismatch, defaultDecision: .pay, deadline: deadline, status: .open,
                           source: .inboundFile(id: "inb_x", line: 2), createdAt: Date())
        }
        var planner = CheckPlanner(endpoints: [:])
        planner.open(exception("A", deadline: Date().addingTimeInterval(3_600)), on: nil)
        planner.open(exception("B", deadline: Date().addingTimeInterval(-1)), on: nil)
        try await store.persist(planner.plan)

        let decision = try await store.decideException(id: "exc_A", decision: .return, returnReason: "R", actor: .api, source: nil, at: Date())
        #expect(try await store.checkException(id: "exc_A").status == .decided)
        await #expect { _ = try await store.decideException(id: "exc_A", decision: .pay, returnReason: nil, actor: .api, source: nil, at: Date()) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { _ = try await store.decideException(id: "exc_B", decision: .pay, returnReason: nil, actor: .api, source: nil, at: Date()) }
            throws: { ($0 as? PaymentError)?.code == .deadlinePassed }
        #expect(try await store.decisionHistory(decisionID: decision.id).map(\.toState) == [.created, .validated])

        // C was decided in time, but its decision was still unsent when the deadline passed.
        planner = CheckPlanner(endpoints: [:])
        planner.open(exception("C", deadline: Date().addingTimeInterval(-1)), on: nil)
        try await store.persist(planner.plan)
        let late = try await store.decideException(id: "exc_C", decision: .pay, returnReason: nil, actor: .api, source: nil,
                                                   at: Date().addingTimeInterval(-60))
        let lapsed = try await store.closeLapsedExceptions(at: Date(), actor: .cutoff)
        #expect(lapsed.map(\.id) == ["exc_B", "exc_C"])
        #expect(try await store.checkException(id: "exc_C").status == .closed)
        let failed = try #require(try await store.decisions(exceptionID: "exc_C").first)
        #expect(failed.id == late.id && failed.state == .failed && failed.failure?.code == "deadline_passed")
        #expect(try await store.checkException(id: "exc_B").status == .closed)
        #expect(try await store.checkHistory(checkID: check.id).last?.reasonCode == "default_decision")
        #expect(try await store.closeLapsedExceptions(at: Date(), actor: .cutoff).isEmpty)

        let pending = try await store.pendingDecisions(limit: 10)
        #expect(pending.map(\.decision.id) == [decision.id] && pending.first?.account.id == account.id)
        let file = OutboundFile(id: "fil_d", kind: .decisions, name: "d.csv", sha256: String(repeating: "0", count: 64), size: 10,
                                status: .rendered, entryCount: 1, totalDebit: 0, totalCredit: 500, archivePath: "/archive/d",
                                createdAt: Date(), updatedAt: Date())
        planner = CheckPlanner(endpoints: [:])
        try planner.bind(decision, fileID: file.id, line: 2)
        try await store.recordRenderedFile(file, checks: planner.plan)
        #expect(try await store.pendingDecisions(limit: 10).isEmpty)
        _ = try await store.markUploaded(fileID: file.id, remotePath: "/in/d.csv", actor: .cutoff, at: Date())
        let sent = try #require(try await store.fileDecisions(fileID: file.id).first)
        #expect(sent.state == .submittedToCore && sent.version == 3)
        #expect(try await store.decisionHistory(decisionID: decision.id).last?.source == .outboundFile(id: file.id, line: 2))
        // Past A's deadline the bank has applied the decision it holds: complete, the exception closed.
        #expect(try await store.closeLapsedExceptions(at: Date().addingTimeInterval(7_200), actor: .cutoff).map(\.id) == ["exc_A"])
        #expect(try await store.checkException(id: "exc_A").status == .closed)
        let applied = try #require(try await store.decisions(exceptionID: "exc_A").first)
        #expect(applied.state == .completed && applied.version == 5)
        #expect(try await store.decisionHistory(decisionID: decision.id).suffix(2).map(\.reasonCode) == ["deadline_reached", "applied"])
        #expect(try await store.checkHistory(checkID: check.id).last?.reasonCode == "decision_applied")
    }

    @Test(arguments: StoreImplementation.all)
    func aReturnAtTheDeadlineFailsTheLiveCheckAsReturned(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        var planner = CheckPlanner(endpoints: [:])
        var checks: [CheckIssue] = []
        for serial in ["61", "62"] {
            checks.append(try planner.apply([.submittedToCore, .processing].map {
                TransitionStep(to: $0, actor: .bankFile, reasonCode: "test", reasonText: "test")
            }, to: try await Checks.issue(store, account, serial: serial)))
        }
        for (check, decision) in zip(checks, [CheckException.Decision.return, .pay]) {
            planner.open(CheckException(id: "exc_\(check.serial)", bankReference: check.serial, merchantID: merchant.id, accountID: account.id,
                                        checkID: check.id, serial: check.serial, presentedAmount: 1, issuedAmount: check.amount,
                                        presentedPayee: "X", reason: .amountMismatch, defaultDecision: decision,
                                        deadline: Date().addingTimeInterval(-1), status: .open, source: .inboundFile(id: "inb_x", line: 2),
                                        createdAt: Date()), on: check)
        }
        try await store.persist(planner.plan)
        #expect(try await store.closeLapsedExceptions(at: Date(), actor: .cutoff).count == 2)
        let returned = try await store.check(id: checks[0].id)
        #expect(returned.state == .failed && returned.failure?.code == "returned")
        #expect(returned.failure?.message.contains("the bank's default") == true)
        #expect(try await store.checkHistory(checkID: checks[0].id).last?.source == .inboundFile(id: "inb_x", line: 2))
        // Paid by default: the check waits for the bank's paid record.
        #expect(try await store.check(id: checks[1].id).state == .processing)
        #expect(try await store.checkHistory(checkID: checks[1].id).last?.reasonCode == "default_decision")
        #expect(try await store.closeLapsedExceptions(at: Date(), actor: .cutoff).isEmpty)
    }

    /// Every delivery due, each leased and recorded delivered in turn (later versions of a subject
    /// wait for earlier ones), as a worker would: the bodies in the order an endpoint gets them.
    static func drain(_ store: any LedgerStore) async throws -> [[String: Any]] {
        var bodies: [[String: Any]] = []
        var results: [DeliveryResult] = []
        while true {
            let claimed = try await store.recordAndClaimWebhookDeliveries(results, owner: "test", limit: 100, perEndpoint: 100, now: Date(),
                                                                          leaseEnds: Date().addingTimeInterval(60))
            guard !claimed.isEmpty else { return bodies }
            results = claimed.map { delivery in
                DeliveryResult(deliveryID: delivery.id, attempt: WebhookAttempt(
                    eventID: delivery.event.id, endpointID: delivery.endpoint.id, attempt: delivery.attempt, startedAt: Date(), statusCode: 204,
                    latencyMilliseconds: 1, error: nil, responseExcerpt: nil), next: .delivered)
            }
            for delivery in claimed {
                bodies.append(try #require(try JSONSerialization.jsonObject(with: delivery.event.payload) as? [String: Any]))
            }
        }
    }

    @Test(arguments: StoreImplementation.all)
    func checkAndExceptionChangesAreAnnouncedOnceWithBodiesOfTheirVersion(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let merchant = try await store.fundedMerchant(1)
        let account = try await Checks.account(store, merchant: merchant)
        let endpoint = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:9/hook", eventTypes: [],
                                                          secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString(),
                                                          idempotencyKey: nil).endpoint
        let sent = try await Checks.issue(store, account, serial: "501")
        let duplicate = try await Checks.issue(store, account, serial: "501")
        let cancelled = try await Checks.issue(store, account, serial: "502")
        _ = try await store.voidCheck(id: cancelled.id, actor: .api, source: nil)
        // The first check goes out in an issue file: one set-based step, one event.
        let file = Self.issueFile(id: "fil_w", entries: 1)
        var planner = CheckPlanner(endpoints: [:])
        try planner.bindIssue(sent, fileID: file.id, line: 1)
        try await store.recordRenderedFile(file, checks: planner.plan)
        _ = try await store.markUploaded(fileID: file.id, remotePath: "/in/w.txt", actor: .cutoff, at: Date())
        // Two exceptions: one decided, one left to lapse into the bank's default.
        func exception(_ reference: String, deadline: Date, default decision: CheckException.Decision) -> CheckException {
            CheckException(id: "exc_" + reference, bankReference: reference, merchantID: merchant.id, accountID: account.id,
                           checkID: sent.id, serial: sent.serial, presentedAmount: 500, issuedAmount: sent.amount, presentedPayee: "X",
                           reason: .amountMismatch, defaultDecision: decision, deadline: deadline, status: .open,
                           source: .inboundFile(id: "inb_x", line: 2), createdAt: Date())
        }
        planner = CheckPlanner(endpoints: [merchant.id: [endpoint]])
        planner.open(exception("D", deadline: Date().addingTimeInterval(3_600), default: .pay), on: nil)
        planner.open(exception("L", deadline: Date().addingTimeInterval(-1), default: .return), on: nil)
        try await store.persist(planner.plan)
        let made = try await store.decideException(id: "exc_D", decision: .return, returnReason: "R", actor: .api, source: nil, at: Date())
        _ = try await store.closeLapsedExceptions(at: Date(), actor: .cutoff)

        let bodies = try await Self.drain(store)
        func events(of id: String) -> [String] {
            bodies.filter { ($0["data"] as? [String: Any])?["id"] as? String == id }.compactMap { $0["type"] as? String }
        }
        #expect(bodies.count == 8)
        #expect(events(of: sent.id) == ["check.submitted", "check.failed"])
        #expect(events(of: duplicate.id) == ["check.failed"])
        #expect(events(of: cancelled.id) == ["check.failed"])
        #expect(events(of: "exc_D") == ["check.exception.opened", "check.exception.decided"])
        #expect(events(of: "exc_L") == ["check.exception.opened", "check.exception.closed"])
        func data(_ type: String, _ id: String) throws -> [String: Any] {
            let found = bodies.first { $0["type"] as? String == type && ($0["data"] as? [String: Any])?["id"] as? String == id }
            guard let data = found?["data"] as? [String: Any] else { throw CocoaError(.coderValueNotFound) }
            return data
        }
        let submitted = try data("check.submitted", sent.id)
        #expect(submitted["state"] as? String == "P_SUBMITTED_TO_CORE" && submitted["previous_state"] as? String == "P_VALIDATED")
        #expect(submitted["version"] as? Int == sent.version + 1 && submitted["issue_file_id"] as? String == file.id)
        #expect(submitted["amount"] as? Int == Int(sent.amount) && submitted["serial"] as? String == "501")
        #expect(submitted["failure"] is NSNull)
        #expect(((try data("check.failed", duplicate.id))["failure"] as? [String: Any])?["code"] as? String == "serial_live")
        #expect(((try data("check.failed", cancelled.id))["failure"] as? [String: Any])?["code"] as? String == "cancelled")
        let decided = try data("check.exception.decided", "exc_D")
        #expect(decided["status"] as? String == "decided" && decided["version"] as? Int == 2)
        let decision = try #require(decided["decision"] as? [String: Any])
        #expect(decision["id"] as? String == made.id && decision["decision"] as? String == "return"
                && decision["return_reason"] as? String == "R" && decision["decided_by"] as? String == "company")
        #expect((try data("check.exception.opened", "exc_D"))["decision"] is NSNull)
        let closed = try data("check.exception.closed", "exc_L")
        #expect(closed["version"] as? Int == 3 && (closed["decision"] as? [String: Any])?["decided_by"] as? String == "bank_default")
        #expect((closed["decision"] as? [String: Any])?["decision"] as? String == "return")
        // The default return settled the presented check: returned.
        #expect(((try data("check.failed", sent.id))["failure"] as? [String: Any])?["code"] as? String == "returned")
        // Delivered once: nothing is due again.
        #expect(try await Self.drain(store).isEmpty)
        #expect(try await store.webhookDeliveryCount(status: .delivered) == 8)
    }
}
