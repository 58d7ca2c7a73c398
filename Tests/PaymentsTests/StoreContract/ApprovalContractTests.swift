import Foundation
import NACHA
import Testing
import TestSupport
import Payments

/// The store contract for four-eyes approval: held payments and files are released by their last
/// approval and never by their maker, one person counts once, decisions racing each other count
/// exactly, and a rejected or expired file is never sent and gives its payments back.
@Suite struct ApprovalContractTests {
    struct People {
        var olga: Operator, alice: Operator, bob: Operator, carol: Operator
    }

    /// An admin, an operator (olga, the maker) and three approvers.
    static func people(_ store: any LedgerStore, at now: Date) async throws -> People {
        let root = try await store.enroll(name: "root", roles: [.admin], email: nil, password: nil, by: nil, at: now)
        func enroll(_ name: String, _ roles: Set<OperatorRole>) async throws -> Operator {
            try await store.enroll(name: name, roles: roles, email: nil, password: nil, by: root, at: now)
        }
        return People(olga: try await enroll("olga", [.operator, .approver]), alice: try await enroll("alice", [.approver]),
                      bob: try await enroll("bob", [.approver]), carol: try await enroll("carol", [.approver]))
    }

    static func held(_ merchant: Merchant, amount: Int64, approvals: Int, by maker: Operator) throws -> PaymentIntake {
        var intake = try Requests.intake(merchant, Requests.credit(amount: amount))
        intake.actor = maker.actor
        intake.approvalsRequired = approvals
        return intake
    }

    @Test(arguments: StoreImplementation.all)
    func aHeldPaymentWaitsForItsApproversNeverItsMakerThenTakesTheFundsCheck(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let now = Date()
        let people = try await Self.people(store, at: now)
        let merchant = try await store.fundedMerchant(1_000_000)
        let held = try await store.intake([try Self.held(merchant, amount: 600_000, approvals: 2, by: people.olga)])[0].payment
        #expect(held.state == .created && held.version == 1 && held.approval == ApprovalCount(required: 2, given: 0))
        let balance = try await store.merchant(merchant.id).balance
        #expect(held.reservedAmount == 0 && balance == 1_000_000, "nothing reserved while held")
        #expect(try await store.payment(id: held.id).approval == ApprovalCount(required: 2, given: 0))
        #expect(try await store.history(paymentID: held.id).map(\.reasonCode) == ["awaiting_approval"])

        func decide(_ decision: Approval.Decision, _ person: Operator, seen: String? = nil, reason: String? = nil) async throws -> ApprovalOutcome {
            try await store.decide(decision, on: held.id, by: person, seen: seen, reason: reason, at: now)
        }
        await #expect { _ = try await decide(.approved, people.olga) } throws: { ($0 as? PaymentError)?.code == .forbidden }
        let first = try await decide(.approved, people.alice)
        guard case .payment(let once) = first.item else { Issue.record("not a payment"); return }
        #expect(once.state == .created && once.approval?.given == 1 && once.version == 2 && first.approval.ordinal == 1)
        await #expect { _ = try await decide(.approved, people.alice) } throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { _ = try await decide(.approved, people.bob, seen: String(repeating: "0", count: 64)) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        let second = try await decide(.approved, people.bob, seen: held.approvalDigest)
        guard case .payment(let validated) = second.item else { Issue.record("not a payment"); return }
        #expect(validated.state == .validated && validated.reservedAmount == 600_000 && validated.approval?.given == 2)
        #expect(try await store.merchant(merchant.id).balance == 400_000)
        await #expect { _ = try await decide(.approved, people.carol) } throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        let decisions = try await store.approvals(subjectIDs: [held.id])
        #expect(decisions.map(\.operatorName) == ["alice", "bob"] && decisions.map(\.ordinal) == [1, 2])
        #expect(decisions.allSatisfy { $0.sha256 == held.approvalDigest && $0.subject == .payment && $0.decision == .approved })
        #expect(try await store.history(paymentID: held.id).map(\.reasonCode) == ["awaiting_approval", "approved", "approved", "validated"])
        #expect(try await store.history(paymentID: held.id).last?.actor.rawValue == "bob")

        // The last approval runs the funds check: a credit the balance no longer covers fails.
        let tooBig = try await store.intake([try Self.held(merchant, amount: 500_000, approvals: 1, by: people.olga)])[0].payment
        let checked = try await store.decide(.approved, on: tooBig.id, by: people.alice, at: now)
        guard case .payment(let failed) = checked.item else { Issue.record("not a payment"); return }
        #expect(failed.state == .failed && failed.failure?.code == "insufficient_funds")

        let rejected = try await store.intake([try Self.held(merchant, amount: 700_000, approvals: 1, by: people.olga)])[0].payment
        await #expect { _ = try await store.decide(.rejected, on: rejected.id, by: people.alice, reason: "  ", at: now) }
            throws: { ($0 as? PaymentError)?.code == .invalidRequest }
        let refusal = try await store.decide(.rejected, on: rejected.id, by: people.alice, reason: "not on the payroll", at: now)
        guard case .payment(let stopped) = refusal.item else { Issue.record("not a payment"); return }
        #expect(stopped.state == .failed && stopped.failure?.code == "rejected_by_approver")
        #expect(stopped.failure?.message.contains("not on the payroll") == true)
        #expect(try await store.approvals(subjectIDs: [rejected.id]).map(\.decision) == [.rejected])
        #expect(try await store.approvals(subjectIDs: nil).count == 4)
        #expect(try await store.merchant(merchant.id).balance == 400_000)
    }

    /// Payments intaken by `maker`, bound to a new file held for `approvals` until `deadline`.
    static func heldFile(_ store: any LedgerStore, _ id: String, _ merchant: Merchant, by maker: Operator, approvals: Int,
                         until deadline: Date) async throws -> [Payment] {
        let payments = try await store.intake((0..<2).map { _ in try Self.held(merchant, amount: 1_000, approvals: 0, by: maker) })
            .map(\.payment)
        var file = FileLedgerContractTests.file(id: id)
        file.hold(required: approvals, until: deadline)
        try await store.recordRenderedFile(file, binding: try FileLedgerContractTests.binding([
            (payments[0], 1, 12104288_0000001 + Int(id.utf8.last ?? 0) * 10, 3), (payments[1], 1, 12104288_0000002 + Int(id.utf8.last ?? 0) * 10, 4),
        ], fileID: id))
        return payments
    }

    @Test(arguments: StoreImplementation.all)
    func aHeldFileIsReleasedByItsLastApprovalOrRejectedOrExpiredGivingItsPaymentsBack(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        // Whole seconds: stores keep milliseconds, and the deadline is compared to the instant.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let people = try await Self.people(store, at: now)
        let merchant = try await store.fundedMerchant(1_000_000)
        _ = try await Self.heldFile(store, "fil_a", merchant, by: people.olga, approvals: 2, until: now.addingTimeInterval(3_600))
        let stored = try await store.outboundFile(id: "fil_a")
        #expect(stored.status == .awaitingApproval && stored.approval == ApprovalCount(required: 2, given: 0))
        #expect(stored.approvalDeadline == now.addingTimeInterval(3_600))
        #expect(try await store.fileMakers(fileID: "fil_a") == ["olga"])
        await #expect { _ = try await store.markUploading(fileID: "fil_a") } throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { _ = try await store.decide(.approved, on: "fil_a", by: people.olga, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        let first = try await store.decide(.approved, on: "fil_a", by: people.alice, seen: stored.sha256, at: now)
        guard case .file(let once) = first.item else { Issue.record("not a file"); return }
        #expect(once.status == .awaitingApproval && once.approval?.given == 1)
        #expect(try await store.outboundFile(id: "fil_a").approval?.given == 1)
        let second = try await store.decide(.approved, on: "fil_a.ach", by: people.bob, at: now)
        guard case .file(let released) = second.item else { Issue.record("not a file"); return }
        #expect(released.status == .rendered && released.approval?.given == 2)
        #expect(try await store.outboundFile(id: "fil_a").status == .rendered)
        #expect(try await store.markUploading(fileID: "fil_a").status == .uploading)
        #expect(try await store.approvals(subjectIDs: ["fil_a"]).map(\.sha256) == [stored.sha256, stored.sha256])

        // Rejected: never sent, its payments unbound and P_VALIDATED with a row naming the approver.
        let rejectedPayments = try await Self.heldFile(store, "fil_b", merchant, by: people.olga, approvals: 2, until: now.addingTimeInterval(3_600))
        let rejection = try await store.decide(.rejected, on: "fil_b", by: people.carol, reason: "wrong amounts", at: now)
        guard case .file(let rejected) = rejection.item else { Issue.record("not a file"); return }
        #expect(rejected.status == .rejected && rejected.failureReason?.contains("wrong amounts") == true)
        for payment in rejectedPayments {
            let read = try await store.payment(id: payment.id)
            #expect(read.state == .validated && read.submission == nil)
            let last = try await store.history(paymentID: payment.id).last
            #expect(last?.reasonCode == "file_rejected" && last?.actor.rawValue == "carol")
        }
        await #expect { _ = try await store.decide(.approved, on: "fil_b", by: people.alice, at: now) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        await #expect { _ = try await store.markUploading(fileID: "fil_b") } throws: { ($0 as? PaymentError)?.code == .invalidStatus }

        // Expired: an approval after the window closed is refused, and the cutoff's expiry gives the payments back.
        let closes = now.addingTimeInterval(60)
        let expiring = try await Self.heldFile(store, "fil_c", merchant, by: people.olga, approvals: 1, until: closes)
        _ = try await Self.heldFile(store, "fil_d", merchant, by: people.olga, approvals: 1, until: closes.addingTimeInterval(3_600))
        await #expect { _ = try await store.decide(.approved, on: "fil_c", by: people.alice, at: closes) }
            throws: { ($0 as? PaymentError)?.code == .invalidStatus }
        #expect(try await store.expireHeld(try await store.outboundFiles(statuses: [.awaitingApproval]), actor: .cutoff,
                                           at: closes.addingTimeInterval(-1)).isEmpty, "nothing expires before its window closes")
        let expired = try await store.expireHeld(try await store.outboundFiles(statuses: [.awaitingApproval]), actor: .cutoff, at: closes)
        #expect(expired.map(\.id) == ["fil_c"] && expired.first?.status == .expired)
        #expect(try await store.outboundFile(id: "fil_c").failureReason?.hasPrefix("approval_expired") == true)
        #expect(try await store.outboundFile(id: "fil_d").status == .awaitingApproval)
        for payment in expiring {
            let read = try await store.payment(id: payment.id)
            #expect(read.state == .validated && read.submission == nil)
            #expect(try await store.history(paymentID: payment.id).last?.reasonCode == "file_expired")
        }
        #expect(Set(try await store.unboundValidatedPayments(limit: 10).map(\.payment.id)) == Set((rejectedPayments + expiring).map(\.id)))
    }

    @Test(arguments: StoreImplementation.all)
    func approvalsRacingEachOtherCountExactly(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let now = Date()
        let root = try await store.enroll(name: "root", roles: [.admin], email: nil, password: nil, by: nil, at: now)
        var approvers: [Operator] = []
        for index in 0..<6 {
            approvers.append(try await store.enroll(name: "approver\(index)", roles: [.approver], email: nil, password: nil, by: root, at: now))
        }
        let merchant = try await store.fundedMerchant(1_000_000)
        _ = try await Self.heldFile(store, "fil_r", merchant, by: root, approvals: 3, until: now.addingTimeInterval(3_600))
        // Six approvers at once for a file that needs three: exactly three count, and the file is released once.
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for approver in approvers {
                group.addTask { (try? await store.decide(.approved, on: "fil_r", by: approver, at: now)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 3)
        let file = try await store.outboundFile(id: "fil_r")
        #expect(file.status == .rendered && file.approval == ApprovalCount(required: 3, given: 3))
        let decisions = try await store.approvals(subjectIDs: ["fil_r"])
        #expect(decisions.map(\.ordinal) == [1, 2, 3] && Set(decisions.map(\.operatorName)).count == 3)

        // One approver racing themselves on a file that needs two: counted once.
        _ = try await Self.heldFile(store, "fil_s", merchant, by: root, approvals: 2, until: now.addingTimeInterval(3_600))
        let same = approvers[0]
        let counted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<5 { group.addTask { (try? await store.decide(.approved, on: "fil_s", by: same, at: now)) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(counted == 1)
        #expect(try await store.outboundFile(id: "fil_s").approval?.given == 1)
        #expect(try await store.approvals(subjectIDs: ["fil_s"]).count == 1)
    }
}
