import Foundation
import NACHA
import Testing
import TestSupport
@testable import Payments

@Suite struct ValidationTests {
    func fieldErrors(_ request: PaymentRequest, rules: PaymentRules = PaymentRules()) -> [String] {
        do {
            _ = try request.validate(rules: rules)
            return []
        } catch {
            #expect(error.code == .invalidRequest)
            return error.fieldErrors.map(\.field)
        }
    }

    @Test func validRequestIsTypedAndUppercased() throws {
        let validated = try Requests.credit(name: "jane doe").validate(rules: PaymentRules())
        #expect(validated.counterparty.name == "JANE DOE")
        #expect(validated.direction == .credit)
        #expect(validated.effectiveDate.description == Requests.effectiveDate)
    }

    @Test func badInputNamesTheField() {
        var request = Requests.credit()
        request.counterparty.routingNumber = "121042883"
        #expect(fieldErrors(request) == ["counterparty.routing_number"])
        request = Requests.credit()
        request.counterparty.accountNumber = "123456789012345678"
        #expect(fieldErrors(request) == ["counterparty.account_number"])
        for amount: Int64 in [0, -5, 100_000_001] {
            #expect(fieldErrors(Requests.credit(amount: amount)) == ["amount"], "\(amount)")
        }
        #expect(fieldErrors(Requests.credit(amount: 500), rules: PaymentRules(maximumAmount: 499)) == ["amount"])
        #expect(fieldErrors(Requests.credit(name: "JOSÉ GARCÍA")) == ["counterparty.name"])
        #expect(fieldErrors(Requests.credit(name: "A NAME LONGER THAN TWENTY-TWO")) == ["counterparty.name"])
        #expect(fieldErrors(Requests.credit(direction: "sideways")) == ["direction"])
        request = Requests.credit()
        request.effectiveDate = "2026-02-30"
        request.secCode = "TEL"
        #expect(fieldErrors(request) == ["sec_code", "effective_date"])
    }

    @Test func decodingRejectsUnknownAndMistypedFields() {
        func decodeError(_ json: String) -> PaymentError.FieldError? {
            do throws(PaymentError) {
                _ = try PaymentRequest.decode(json: Data(json.utf8)).validate(rules: PaymentRules(), today: ACHDate(iso: "2026-11-23")!)
                return nil
            } catch {
                return error.fieldErrors.first
            }
        }
        let base = #"{"amount":1,"direction":"credit","sec_code":"PPD","description":"X","effective_date":"2026-11-24","counterparty":{"name":"A","routing_number":"121042882","account_number":"1","account_type":"checking"}"#
        #expect(decodeError(base + "}") == nil)
        #expect(decodeError(base + #","surprise":1}"#)?.field == "surprise")
        #expect(decodeError(base + #","surprise":1}"#)?.code == "unknown_field")
        #expect(decodeError(base.replacingOccurrences(of: #""account_type":"checking""#, with: #""account_type":"checking","iban":"x""#) + "}")?.field == "counterparty.iban")
        #expect(decodeError(base.replacingOccurrences(of: #""amount":1"#, with: #""amount":"1""#) + "}")?.field == "amount")
        #expect(decodeError(base.replacingOccurrences(of: #""amount":1,"#, with: "") + "}")?.field == "amount")
        #expect(decodeError("{not json")?.code == "malformed_json")
        #expect(decodeError("{not json")?.message == "line 1, column 2: expected a member name in double quotes")
        #expect(decodeError("{\"a\": [1, 2,]}")?.message == "line 1, column 13: expected a value (object, array, string, number, true, false or null)")
        #expect(decodeError("{\"a\": \"\\q\"}")?.message.hasPrefix("line 1, column 9: expected a valid escape") == true)
        #expect(decodeError("{} {}")?.message == "line 1, column 4: expected end of input")
    }

    /// One answer lists every problem: an unknown member does not hide the invalid ones beside it,
    /// and an empty document names every required member, each once.
    @Test func everyProblemOfADocumentIsReportedAtOnce() throws {
        func problems(_ json: String) throws -> PaymentError {
            do throws(PaymentError) {
                _ = try PaymentRequest.decode(json: Data(json.utf8)).validate(rules: PaymentRules(), today: ACHDate(iso: "2026-11-23")!)
            } catch {
                return error
            }
            Issue.record("\(json) was accepted")
            return PaymentError(.notFound, "")
        }
        let empty = try problems("{}")
        #expect(empty.code == .invalidDocument)
        #expect(empty.fieldErrors.map(\.field) == ["amount", "direction", "sec_code", "description", "effective_date", "counterparty"])
        #expect(empty.fieldErrors.allSatisfy { $0.code == "required" })
        let mixed = try problems(#"{"amount":-5,"direction":"up","sec_code":"TEL","description":"X","effective_date":"2026-02-30","surprise":1,"counterparty":{"name":"A","routing_number":"121042883","account_number":"1","account_type":7}}"#)
        #expect(mixed.code == .invalidDocument && mixed.message == "the payment request is invalid")
        #expect(mixed.fieldErrors.map(\.field) == ["surprise", "counterparty.account_type", "amount", "direction", "sec_code", "effective_date",
                                                   "counterparty.routing_number"], "\(mixed.fieldErrors)")
        // The rules alone: the same headline, another code (422 rather than 400 over HTTP).
        let ruled = try problems(#"{"amount":-5,"direction":"credit","sec_code":"PPD","description":"X","effective_date":"2026-11-24","counterparty":{"name":"A","routing_number":"121042882","account_number":"1","account_type":"checking"}}"#)
        #expect(ruled.code == .invalidRequest && ruled.message == mixed.message && ruled.fieldErrors.map(\.field) == ["amount"])
    }

    @Test func fingerprintIsCanonical() throws {
        let first = try PaymentRequest.decode(json: Data(#"{"amount":1,"currency":"USD","direction":"credit","sec_code":"PPD","description":"X","effective_date":"2026-11-24","counterparty":{"name":"A","routing_number":"121042882","account_number":"1","account_type":"checking"},"metadata":{"b":"2","a":"1"}}"#.utf8))
        let second = try PaymentRequest.decode(json: Data(#"{"metadata":{"a":"1","b":"2"},"counterparty":{"account_type":"checking","account_number":"1","routing_number":"121042882","name":"A"},"effective_date":"2026-11-24","description":"X","sec_code":"PPD","direction":"credit","amount":1}"#.utf8))
        #expect(first.fingerprint == second.fingerprint)
        var third = first
        third.amount = 2
        #expect(third.fingerprint != first.fingerprint)
    }

    @Test("the canonical form is pinned byte for byte: stored fingerprints depend on it")
    func canonicalFormIsPinned() {
        let request = PaymentRequest(
            amount: 1000, direction: "credit", secCode: "PPD", description: "PAY\tROLL", effectiveDate: "2026-12-03",
            counterparty: .init(name: "A\"B\\C\n\u{01}é", routingNumber: "121042882", accountNumber: "12-AB", accountType: "checking"),
            metadata: ["z": "1", "k\"": "v\u{7F}\u{1F}"])
        #expect(request.canonicalJSON == #"{"amount":1000,"counterparty":{"account_number":"12-AB","account_type":"checking","name":"A\"B\\C\n\u0001é","routing_number":"121042882"},"currency":"USD","description":"PAY\tROLL","direction":"credit","effective_date":"2026-12-03","metadata":{"k\"":"v"# + "\u{7F}" + #"\u001f","z":"1"},"sec_code":"PPD"}"#)
        #expect(request.fingerprint == SHA256Digest.hex(Array("POST /payments/ach\n\(SHA256Digest.hex(Array(request.canonicalJSON.utf8)))".utf8)))
    }

    @Test func canonicalJSONRoundTrips() {
        let values: [[String: String]] = [[:], ["a": "1"], ["quote\"": "back\\slash", "line": "a\nb\tc", "ctl": "\u{01}", "é": "ü"]]
        for value in values {
            #expect(CanonicalJSON.parseObject(CanonicalJSON.object(value)) == value)
        }
        #expect(CanonicalJSON.parseObject("{\"a\":1}") == nil)
        #expect(CanonicalJSON.parseObject("{\"a\":\"1\"} x") == nil)
        #expect(CanonicalJSON.parseObject("[]") == nil)
    }

    @Test func idempotencyKeysAreUUIDv4() throws {
        #expect(try IdempotencyKey.validate("3F2B8C1E-9A4D-4F6B-8C2D-1E5F7A9B0C3D") == "3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d")
        for bad in ["", "not-a-uuid", "3f2b8c1e-9a4d-1f6b-8c2d-1e5f7a9b0c3d", "3f2b8c1e-9a4d-4f6b-7c2d-1e5f7a9b0c3d",
                    "3f2b8c1e9a4d4f6b8c2d1e5f7a9b0c3d"] {
            #expect(throws: PaymentError.self, "\(bad)") { try IdempotencyKey.validate(bad) }
        }
    }

    @Test func identifiersAreUniqueAndTimeOrdered() {
        let early = Identifier.make(prefix: "pay", at: Date(timeIntervalSince1970: 1_000))
        let late = Identifier.make(prefix: "pay", at: Date(timeIntervalSince1970: 2_000))
        #expect(early < late)
        #expect(early.count == 30)
        let burst = (0..<1_000).map { _ in Identifier.make(prefix: "pay") }
        #expect(Set(burst).count == 1_000)
        #expect(burst == burst.sorted())
    }
}
