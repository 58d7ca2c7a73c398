import Foundation
import NACHA
import Testing
import TestSupport
@testable import Payments

/// The check import takes keys and amounts as `checks issue` and the API do: a UUID v4 compared
/// lower-cased, whole cents as digits only.
@Suite struct CheckImportTests {
    static let account = CheckAccount(id: "acc_1", merchantID: "mer_1", routingNumber: "121042882", accountNumber: "123456789",
                                      layout: .arp, payeeMatch: false, createdAt: Date())
    static let header = "idempotency_key,account_id,serial,amount,issue_date,payee\n"

    static func parse(_ rows: [String]) throws(PaymentError) -> [CheckImport.Row] {
        try CheckImport.parse(header + rows.joined(separator: "\n") + "\n", accounts: [account.id: account], rules: CheckRules(),
                              today: ACHDate.today())
    }

    @Test func keysAreUUIDv4LowerCasedAndAmountsDigitsOnly() throws {
        let today = ACHDate.today().description
        let rows = try Self.parse(["8E03978E-40D5-43E8-BC93-6894A57F9324,acc_1,1001,12345,\(today),JANE DOE"])
        #expect(rows.first?.idempotencyKey == "8e03978e-40d5-43e8-bc93-6894a57f9324")
        #expect {
            try Self.parse(["not-a-key,acc_1,1001,100,\(today),A", "00000000-0000-0000-0000-000000000000,acc_1,1002,100,\(today),B",
                            "0f5a3c39-2f0c-4a8e-9d43-2b1a7c5e6d01,acc_1,1003,+100,\(today),C", "1f5a3c39-2f0c-4a8e-9d43-2b1a7c5e6d01,acc_1,1004, 100,\(today),D"])
        } throws: { error in
            let fields = ((error as? PaymentError)?.fieldErrors ?? []).map { "\($0.field) \($0.code)" }
            return fields == ["line 2: idempotency_key invalid_uuid_v4", "line 3: idempotency_key invalid_uuid_v4",
                              "line 4: amount invalid_type", "line 5: amount invalid_type"]
        }
        #expect(CentsText.parse("100") == 100 && CentsText.parse("+100") == nil && CentsText.parse("1e3") == nil
                && CentsText.parse("") == nil && CentsText.parse("9999999999999999999") == nil)
    }
}
