import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import TestSupport
import Testing

@Suite("/positive-pay/checks")
struct CheckEndpointTests {
    static func body(_ account: CheckAccount, serial: String = "10001", amount: Int64 = 12_345) -> String {
        #"{"account_id": "\#(account.id)", "serial": "\#(serial)", "amount": \#(amount), "issue_date": "\#(Requests.today)", "payee": "JANE DOE", "metadata": {}}"#
    }

    static func post(_ fixture: APIFixture, _ client: some TestClientProtocol, _ uri: String, body: String? = nil,
                     key: String = UUID().uuidString) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: fixture.headers(key: key),
                                 body: body.map { ByteBuffer(string: $0) })
    }

    @Test("a check imported from CSV and the same key and document through the API are one request", arguments: StoreImplementation.all)
    func importThenAPI(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let account = try await Checks.account(fixture.store, merchant: fixture.merchant)
        let key = UUID().uuidString
        let csv = "idempotency_key,account_id,serial,amount,issue_date,payee\n\(key.uppercased()),\(account.id),10001,12345,\(Requests.today),JANE DOE\n"
        let rows = try CheckImport.parse(csv, accounts: [account.id: account], rules: CheckRules())
        let imported = try await fixture.store.issueChecks(rows.map {
            CheckIntake(merchantID: fixture.merchant.id, idempotencyKey: $0.idempotencyKey, check: $0.check, actor: .cli,
                        source: .csvImport(file: "checks.csv", line: $0.line))
        })[0].check
        try await fixture.application.test(.router) { client in
            // Not final yet: the API names the imported check rather than making another.
            let again = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(account), key: key.lowercased())
            #expect(again.status == .conflict, "\(again.json)")
            #expect(again.json["payment_id"] as? String == imported.id)
        }
        #expect(try await fixture.store.checks(CheckQuery()).map(\.id) == [imported.id])
    }

    @Test("register, replay the first answer once final, read with history, list by account, void before sending", arguments: StoreImplementation.all)
    func lifecycle(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let account = try await Checks.account(fixture.store, merchant: fixture.merchant)
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString
            let created = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(account), key: key)
            #expect(created.status == .created)
            #expect(created.json["state"] as? String == "P_VALIDATED")
            let id = try #require(created.json["id"] as? String)
            #expect(created.header("Location") == "/positive-pay/checks/\(id)")
            // Not final: the same key is a 409 naming the check; another body is 422.
            let again = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(account), key: key)
            #expect(again.status == .conflict)
            #expect(again.json["payment_id"] as? String == id)
            let other = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(account, amount: 1), key: key)
            #expect(other.status == .unprocessableContent)
            #expect(other.json["type"] as? String == "/openapi.json#/x-problem-types/idempotency_key_reused")

            let shown = try await fixture.get(client, "/positive-pay/checks/\(id)")
            #expect(shown.status == .ok)
            #expect((shown.json["history"] as? [[String: Any]])?.map { $0["to_state"] as? String } == ["P_CREATED", "P_VALIDATED"])
            let listed = try await fixture.get(client, "/positive-pay/checks?account=\(account.id)&state=P_VALIDATED")
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)

            let voided = try await Self.post(fixture, client, "/positive-pay/checks/\(id)/void")
            #expect(voided.status == .ok)
            #expect(voided.json["state"] as? String == "P_FAILED")
            #expect((voided.json["failure"] as? [String: Any])?["code"] as? String == "cancelled")
            // Final now: the key replays the first answer, byte for byte (the check as it was created).
            let replay = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(account), key: key)
            #expect(replay.status == .created)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(replay.body == created.body && replay.json["state"] as? String == "P_VALIDATED")
            // The serial is free again.
            let reissued = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(account))
            #expect(reissued.json["state"] as? String == "P_VALIDATED")
        }
    }

    @Test("bad input is 422 with every field named and changes nothing; another merchant's account is unknown", arguments: StoreImplementation.all)
    func validation(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let account = try await Checks.account(fixture.store, merchant: fixture.merchant, payeeMatch: true)
        let stranger = try await fixture.store.addMerchant(name: "other", companyID: "1", companyName: "OTHER")
        let theirs = try await Checks.account(fixture.store, merchant: stranger, accountNumber: "555000111")
        try await fixture.application.test(.router) { client in
            let body = #"{"account_id": "\#(account.id)", "serial": "12345678901", "amount": 0, "issue_date": "2020-01-01"}"#
            let invalid = try await Self.post(fixture, client, "/positive-pay/checks", body: body)
            #expect(invalid.status == .unprocessableContent)
            let fields = Set((invalid.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["serial", "amount", "issue_date", "payee"])
            let foreign = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(theirs))
            #expect(foreign.status == .unprocessableContent)
            #expect((foreign.json["errors"] as? [[String: Any]])?.first?["code"] as? String == "unknown_account")
            // Every problem in one answer: an unknown account hides none of the others, nor does a shape problem (400).
            func named(_ response: TestResponse) -> [String] { (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
            let foreignAndInvalid = try await Self.post(fixture, client, "/positive-pay/checks", body: Self.body(theirs, amount: 0))
            #expect(foreignAndInvalid.status == .unprocessableContent && named(foreignAndInvalid) == ["account_id", "amount"])
            let shapeAndRules = try await Self.post(fixture, client, "/positive-pay/checks",
                                                    body: #"{"account_id": "\#(account.id)", "serial": "12345678901", "amount": 0, "surprise": 1}"#)
            #expect(shapeAndRules.status == .badRequest && shapeAndRules.json["detail"] as? String == "the check request is invalid")
            #expect(named(shapeAndRules) == ["surprise", "issue_date", "serial", "amount", "payee"])
            let empty = try await Self.post(fixture, client, "/positive-pay/checks", body: "{}")
            #expect(named(empty) == ["account_id", "serial", "amount", "issue_date"], "each required member once")
            #expect(try await fixture.store.checks(CheckQuery()).isEmpty)
            let theirCheck = try await Checks.issue(fixture.store, theirs)
            #expect(try await fixture.get(client, "/positive-pay/checks/\(theirCheck.id)").status == .notFound)
        }
    }

    @Test("voiding a paid check is 409 state_conflict", arguments: StoreImplementation.all)
    func voidingAPaidCheck(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let account = try await Checks.account(fixture.store, merchant: fixture.merchant)
        let issued = try await Checks.issue(fixture.store, account)
        var planner = CheckPlanner(endpoints: [:])
        let check = try planner.apply([.submittedToCore, .processing, .completed].map {
            TransitionStep(to: $0, actor: .bankFile, reasonCode: "test", reasonText: "test")
        }, to: issued)
        try await fixture.store.persist(planner.plan)
        try await fixture.application.test(.router) { client in
            let refused = try await Self.post(fixture, client, "/positive-pay/checks/\(check.id)/void")
            #expect(refused.status == .conflict)
            #expect(refused.json["type"] as? String == "/openapi.json#/x-problem-types/state_conflict")
        }
    }

    @Test("a decision: the same key replays it, another decision with it is 422, another key 409; a lapsed exception is 409 deadline_passed", arguments: StoreImplementation.all)
    func decisions(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let account = try await Checks.account(fixture.store, merchant: fixture.merchant)
        var planner = CheckPlanner(endpoints: [:])
        for (reference, deadline) in [("EX-1", Date().addingTimeInterval(3_600)), ("EX-2", Date().addingTimeInterval(-60))] {
            planner.open(CheckException(id: "exc_" + reference, bankReference: reference, merchantID: fixture.merchant.id,
                                        accountID: account.id, checkID: nil, serial: "9", presentedAmount: 100, issuedAmount: nil,
                                        presentedPayee: "X", reason: .paidNotIssued, defaultDecision: .return, deadline: deadline,
                                        status: .open, source: .inboundFile(id: "inb_x", line: 2), createdAt: Date()), on: nil)
        }
        try await fixture.store.persist(planner.plan)
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString
            let returned = #"{"decision": "return", "return_reason": "NOT OURS"}"#
            let first = try await Self.post(fixture, client, "/positive-pay/exceptions/exc_EX-1/decision", body: returned, key: key)
            #expect(first.status == .created && first.json["state"] as? String == "P_VALIDATED")
            let replay = try await Self.post(fixture, client, "/positive-pay/exceptions/exc_EX-1/decision", body: returned, key: key)
            #expect(replay.status == .created && replay.header("Idempotent-Replayed") == "true" && replay.json["id"] as? String == first.json["id"] as? String)
            let muddled = try await Self.post(fixture, client, "/positive-pay/exceptions/exc_EX-1/decision", body: #"{"decision": "maybe", "note": 1}"#)
            #expect(muddled.status == .badRequest)
            #expect((muddled.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["note", "decision"])
            let other = try await Self.post(fixture, client, "/positive-pay/exceptions/exc_EX-1/decision", body: #"{"decision": "pay"}"#, key: key)
            #expect(other.status == .unprocessableContent)
            let again = try await Self.post(fixture, client, "/positive-pay/exceptions/exc_EX-1/decision", body: returned)
            #expect(again.status == .conflict && again.json["type"] as? String == "/openapi.json#/x-problem-types/state_conflict")
            let late = try await Self.post(fixture, client, "/positive-pay/exceptions/exc_EX-2/decision", body: #"{"decision": "pay"}"#)
            #expect(late.status == .conflict && late.json["type"] as? String == "/openapi.json#/x-problem-types/deadline_passed")
            #expect(try await fixture.store.decisions(exceptionID: nil).count == 1)
            // The exception's status endpoint: decided, at version 2, with the decision made.
            let shown = try await fixture.get(client, "/positive-pay/exceptions/exc_EX-1")
            #expect(shown.status == .ok && shown.json["status"] as? String == "decided" && shown.json["version"] as? Int == 2)
            #expect((shown.json["decisions"] as? [[String: Any]])?.map { $0["id"] as? String } == [first.json["id"] as? String])
            #expect(try await fixture.get(client, "/positive-pay/exceptions/exc_none").status == .notFound)
        }
    }
}
