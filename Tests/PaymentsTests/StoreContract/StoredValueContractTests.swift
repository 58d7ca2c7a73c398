import Foundation
import Payments
import Testing
import TestSupport

/// The store contract for reading rows back: a stored value this build does not know (written by
/// hand, or by another version) stops the read with `undecodable`, naming its table and column. It
/// is never taken for a default, as an unknown state once read as P_FAILED.
@Suite struct StoredValueContractTests {
    static func undecodable(_ error: any Error, _ column: String) -> Bool {
        guard let error = error as? StoreError else { return false }
        return error.code == .undecodable && error.message.contains(column)
    }

    @Test(arguments: StoreImplementation.all)
    func anUnknownStoredValueIsAnErrorNamingItsColumnNeverADefault(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let store = try await database.open()
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake([Requests.intake(merchant, key: "a"), Requests.intake(merchant, key: "b")]).map(\.payment)
        let check = try await Checks.issue(store, try await Checks.account(store, merchant: merchant))

        try await database.tamper("UPDATE payments SET settlement = 'next_week' WHERE id = '\(payments[0].id)'")
        await #expect { _ = try await store.payment(id: payments[0].id) } throws: { Self.undecodable($0, "payments.settlement") }
        await #expect { _ = try await store.payments(PaymentQuery(limit: 10)) } throws: { Self.undecodable($0, "payments.settlement") }
        #expect(try await store.payment(id: payments[1].id).state == .validated, "the other rows still read")

        // History is append-only, so the unknown state comes as a new row.
        try await database.tamper("""
            INSERT INTO payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text, created_at)
            VALUES ('\(payments[1].id)', 3, 'P_VALIDATED', 'P_LIMBO', 'cli', 'tampered', 'by hand', 0)
            """)
        await #expect { _ = try await store.history(paymentID: payments[1].id) } throws: { Self.undecodable($0, "history.to_state") }

        try await database.tamper("UPDATE check_issues SET paid_on = '2026-02-30' WHERE id = '\(check.id)'")
        await #expect { _ = try await store.check(id: check.id) } throws: { Self.undecodable($0, "check_issues.paid_on") }
        await #expect { _ = try await store.checks(CheckQuery()) } throws: {
            Self.undecodable($0, "check_issues.paid_on") && !"\($0)".contains(check.id)
        }
    }
}
