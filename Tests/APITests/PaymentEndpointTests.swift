import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import Synchronization
import Testing
import TestSupport

@Suite("POST /payments/ach and reads")
struct PaymentEndpointTests {
    @Test("a valid credit is 201 P_VALIDATED with Location; a failed funds check is 201 P_FAILED with the reason", arguments: StoreImplementation.all)
    func create(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation, balance: 200_000)
        try await fixture.application.test(.router) { client in
            let first = try await fixture.post(client)
            #expect(first.status == .created)
            #expect(first.json["state"] as? String == "P_VALIDATED")
            let id = try #require(first.json["id"] as? String)
            #expect(first.header("Location") == "/payments/\(id)")
            #expect((first.json["counterparty"] as? [String: Any])?["account_number"] as? String == "****5678")
            #expect(first.header("X-Request-Id")?.hasPrefix("req_") == true)
            // 75,000 cents left: the next 125,000 credit fails its funds check but is still recorded.
            let second = try await fixture.post(client)
            #expect(second.status == .created)
            #expect(second.json["state"] as? String == "P_FAILED")
            #expect((second.json["failure"] as? [String: Any])?["code"] as? String == "insufficient_funds")
        }
    }

    @Test("Idempotency-Key: missing or not a UUID v4 is 400; the structured-field quoted form is accepted", arguments: StoreImplementation.all)
    func idempotencyKeyHeader(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            let missing = try await fixture.post(client, key: nil)
            #expect(missing.status == .badRequest)
            #expect(missing.contentType == "application/problem+json")
            #expect(missing.json["type"] as? String == "/openapi.json#/x-problem-types/idempotency_key_missing")
            for bad in ["abc", "00000000-0000-1000-8000-000000000000", String(repeating: "a", count: 36)] {
                let invalid = try await fixture.post(client, key: bad)
                #expect(invalid.status == .badRequest)
                #expect(invalid.json["type"] as? String == "/openapi.json#/x-problem-types/idempotency_key_invalid")
            }
            let key = UUID().uuidString
            let quoted = try await fixture.post(client, key: "\"\(key)\"")
            #expect(quoted.status == .created)
            // The same key plain is the same request: the payment is not final yet, so 409.
            let plain = try await fixture.post(client, key: key.lowercased())
            #expect(plain.status == .conflict)
        }
    }

    @Test("409 while the payment is not final: exact problem shape, Link, Location and payment_id", arguments: StoreImplementation.all)
    func conflict(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString.lowercased()
            let first = try await fixture.post(client, key: key)
            let id = try #require(first.json["id"] as? String)
            let again = try await fixture.post(client, key: key)
            #expect(again.status == .conflict)
            #expect(again.contentType == "application/problem+json")
            #expect(again.header("Link")
                    == "</openapi.json#/components/parameters/IdempotencyKey>; rel=\"describedby\"")
            #expect(again.header("Location") == "/payments/\(id)")
            let body = again.json
            #expect(body["type"] as? String == "/openapi.json#/x-problem-types/idempotency_conflict")
            #expect(body["title"] as? String == "A request is outstanding for this Idempotency-Key")
            #expect(body["status"] as? Int == 409)
            #expect((body["detail"] as? String)?.contains("P_VALIDATED") == true)
            #expect(body["instance"] as? String == key)
            #expect(body["payment_id"] as? String == id)
            // The protocol's members as they are, plus payment_id and the request id every problem carries.
            #expect(Set(body.keys) == ["type", "title", "status", "detail", "instance", "payment_id", "request_id"])
            #expect(body["request_id"] as? String == again.header("X-Request-Id"))
            // Still 409 once submitted and processing: only a final state replays.
            for state in [PaymentState.submittedToCore, .processing] {
                _ = try await fixture.store.transition(paymentID: id, steps: [
                    TransitionStep(to: state, actor: .operator, reasonCode: "test", reasonText: "test"),
                ])
                let during = try await fixture.post(client, key: key)
                #expect(during.status == .conflict)
                #expect((during.json["detail"] as? String)?.contains(state.rawValue) == true)
            }
        }
    }

    @Test("once final, the same key and body replays the first response byte for byte; another body is 422", arguments: StoreImplementation.all)
    func replayAndReuse(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString
            let first = try await fixture.post(client, key: key)
            let id = try #require(first.json["id"] as? String)
            _ = try await fixture.store.transition(paymentID: id, steps: [PaymentState.submittedToCore, .processing, .completed].map {
                TransitionStep(to: $0, actor: .operator, reasonCode: "test", reasonText: "settled")
            })
            let replay = try await fixture.post(client, key: key)
            #expect(replay.status == .created)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(replay.text == first.text)
            #expect(first.header("Idempotent-Replayed") == nil)
            // The authoritative state is on GET, not in the replay.
            #expect(try await fixture.get(client, "/payments/\(id)").json["state"] as? String == "P_COMPLETED")

            let other = try await fixture.post(client, body: APIFixture.paymentBody.replacingOccurrences(of: "125000", with: "125001"),
                                               key: key)
            #expect(other.status == .unprocessableContent)
            #expect(other.json["type"] as? String == "/openapi.json#/x-problem-types/idempotency_key_reused")
            #expect(try await fixture.store.payments(PaymentQuery()).count == 1)
        }
    }

    @Test("bad bodies: malformed JSON with line and column, schema errors, rule errors, size and content type", arguments: StoreImplementation.all)
    func badBodies(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            let malformed = try await fixture.post(client, body: "{\"amount\": 1,\n  \"direction\" \"credit\"}")
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["type"] as? String == "/openapi.json#/x-problem-types/malformed_json")
            #expect((malformed.json["detail"] as? String)?.contains("line 2, column 15") == true)

            let unknown = try await fixture.post(client, body: APIFixture.paymentBody.replacingOccurrences(
                of: "\"amount\"", with: "\"surprise\": 1, \"amount\""))
            #expect(unknown.status == .badRequest)
            #expect(unknown.json["type"] as? String == "/openapi.json#/x-problem-types/invalid_body")
            let unknownFields = try #require(unknown.json["errors"] as? [[String: Any]])
            #expect(unknownFields.first?["field"] as? String == "surprise")
            // An unknown member beside invalid ones: one answer names them all, with the rules' headline.
            let everything = try await fixture.post(client, body: APIFixture.paymentBody
                .replacingOccurrences(of: "\"amount\"", with: "\"surprise\": 1, \"amount\"")
                .replacingOccurrences(of: "121042882", with: "121042883").replacingOccurrences(of: "125000", with: "-5"))
            #expect(everything.status == .badRequest && everything.json["detail"] as? String == "the payment request is invalid")
            #expect(try #require(everything.json["errors"] as? [[String: Any]]).compactMap { $0["field"] as? String }
                    == ["surprise", "amount", "counterparty.routing_number"])
            let empty = try await fixture.post(client, body: "{}")
            #expect(empty.status == .badRequest)
            #expect((empty.json["errors"] as? [[String: Any]])?.count == 6, "every required member, not only the amount")

            let invalid = try await fixture.post(client, body: APIFixture.paymentBody
                .replacingOccurrences(of: "121042882", with: "121042883")
                .replacingOccurrences(of: "125000", with: "-5"))
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.json["type"] as? String == "/openapi.json#/x-problem-types/validation_failed")
            #expect(invalid.json["detail"] as? String == "the payment request is invalid")
            let fields = Set(try #require(invalid.json["errors"] as? [[String: Any]]).compactMap { $0["field"] as? String })
            #expect(fields == ["amount", "counterparty.routing_number"])
            #expect(!invalid.text.contains("12345678"))

            // Same Day ACH is for today only, and never silently moved: a same-day request dated tomorrow is refused.
            let sameDayTomorrow = try await fixture.post(client, body: APIFixture.paymentBody.replacingOccurrences(
                of: "\"metadata\"", with: "\"settlement\": \"same_day\", \"metadata\""))
            #expect(sameDayTomorrow.status == .unprocessableContent)
            let sameDayErrors = try #require(sameDayTomorrow.json["errors"] as? [[String: Any]])
            #expect(sameDayErrors.compactMap { $0["code"] as? String } == ["same_day_not_today"])
            #expect(sameDayErrors.compactMap { $0["field"] as? String } == ["effective_date"])
            let unknownProfile = try await fixture.post(client, body: APIFixture.paymentBody.replacingOccurrences(
                of: "\"metadata\"", with: "\"profile\": \"backup\", \"metadata\""))
            #expect(unknownProfile.status == .unprocessableContent)
            #expect((unknownProfile.json["errors"] as? [[String: Any]])?.first?["code"] as? String == "unknown_profile")

            let large = try await fixture.post(client, body: "{\"metadata\": {\"a\": \"" + String(repeating: "x", count: 70_000) + "\"}}")
            #expect(large.status == .contentTooLarge)
            #expect(large.json["type"] as? String == "/openapi.json#/x-problem-types/payload_too_large")

            var form = fixture.headers()
            form[.contentType] = "application/x-www-form-urlencoded"
            let wrongType = try await client.execute(uri: "/payments/ach", method: .post, headers: form,
                                                     body: ByteBuffer(string: APIFixture.paymentBody))
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try await fixture.store.payments(PaymentQuery()).isEmpty)
        }
    }

    @Test("GET one, its events and the list with cursor pagination", arguments: StoreImplementation.all)
    func reads(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try #require(try await fixture.post(client).json["id"] as? String)) }
            let one = try await fixture.get(client, "/payments/\(ids[2])")
            #expect(one.status == .ok)
            #expect(one.json["version"] as? Int == 2)
            #expect(one.json.keys.contains("submission"))

            let events = try await fixture.get(client, "/payments/\(ids[2])/events")
            let entries = try #require(events.json["data"] as? [[String: Any]])
            #expect(entries.map { $0["to_state"] as? String } == ["P_CREATED", "P_VALIDATED"])
            #expect(entries.allSatisfy { $0["actor"] as? String == "api" })

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await fixture.get(client, "/payments?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                seen += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == ids)

            let filtered = try await fixture.get(client, "/payments?state=P_FAILED")
            #expect((filtered.json["data"] as? [Any])?.isEmpty == true)
            let after = try await fixture.get(client, "/payments?created_after=2999-01-01T00:00:00Z")
            #expect((after.json["data"] as? [Any])?.isEmpty == true)

            let bad = try await fixture.get(client, "/payments?state=DONE&limit=0&cursor=%25&created_after=yesterday")
            #expect(bad.status == .badRequest)
            let fields = Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["state", "limit", "cursor", "created_after"])

            #expect(try await fixture.get(client, "/payments/pay_unknown").status == .notFound)
            let wrongMethod = try await client.execute(uri: "/payments/\(ids[0])", method: .delete, headers: fixture.headers())
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.header("Allow") == "GET")
            // A literal segment wins over a parameter, as in the router: /payments/ach is not /payments/{id}.
            for method in [HTTPRequest.Method.options, .get, .put, .delete] {
                let onCreate = try await client.execute(uri: "/payments/ach", method: method, headers: fixture.headers())
                #expect(onCreate.status == .methodNotAllowed, "\(method)")
                #expect(onCreate.header("Allow") == "POST", "\(method)")
            }
            let onEndpoints = try await client.execute(uri: "/webhook-endpoints", method: .delete, headers: fixture.headers())
            #expect(onEndpoints.header("Allow") == "POST, GET")
            #expect(try await client.execute(uri: "/payments", method: .get, headers: fixture.headers(key: nil)).status == .ok)
            let emptyCursor = try await fixture.get(client, "/payments?cursor=")
            #expect(emptyCursor.status == .badRequest)
        }
    }

    @Test("the list filters by amount and time, pages newest first, and refuses unknown or repeated parameters; HEAD answers a GET route",
          arguments: StoreImplementation.all)
    func listFilters(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation, balance: 1_000_000)
        try await fixture.application.test(.router) { client in
            var ids: [String] = []
            for amount in 1...5 {
                let body = APIFixture.paymentBody.replacingOccurrences(of: "125000", with: "\(amount * 1000)")
                ids.append(try #require(try await fixture.post(client, body: body).json["id"] as? String))
            }
            func listed(_ query: String) async throws -> [String] {
                let page = try await fixture.get(client, "/payments?" + query)
                #expect(page.status == .ok, "\(query)")
                return (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(try await listed("min_amount=2000&max_amount=4000") == Array(ids[1...3]))
            #expect(try await listed("order=newest_first&limit=2") == [ids[4], ids[3]])
            let today = Timestamp.format(Date()).prefix(10)
            #expect(try await listed("since=\(today)&until=\(today)") == ids)
            #expect(try await listed("until=2000-01-01").isEmpty)
            #expect(try await listed("since=2999-01-01T00:00:00Z").isEmpty)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await fixture.get(client, "/payments?order=newest_first&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())

            func refused(_ uri: String) async throws -> [String: String] {
                let response = try await fixture.get(client, uri)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.header("Content-Type") == "application/problem+json")
                let errors = response.json["errors"] as? [[String: Any]] ?? []
                return Dictionary(errors.compactMap { error in (error["field"] as? String).map { ($0, error["code"] as? String ?? "") } }) { $1 }
            }
            #expect(try await refused("/payments?stat=P_FAILED") == ["stat": "unknown"])
            #expect(try await refused("/payments?state=P_FAILED&state=P_VALIDATED") == ["state": "repeated"])
            #expect(try await refused("/payments/\(ids[0])?verbose=1") == ["verbose": "unknown"])
            #expect(try await refused("/payments?min_amount=-5&order=sideways&since=yesterday") ==
                    ["min_amount": "invalid", "order": "invalid", "since": "invalid_timestamp"])

            let head = try await client.execute(uri: "/payments/\(ids[0])", method: .head, headers: fixture.headers())
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test("cancel before the bank: P_FAILED cancelled with its funds back, the same answer again; 409 once submitted", arguments: StoreImplementation.all)
    func cancel(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation, balance: 200_000)
        try await fixture.application.test(.router) { client in
            let first = try #require(try await fixture.post(client).json["id"] as? String)
            let second = try #require(try await fixture.post(client).json["id"] as? String)
            #expect(try await fixture.store.merchant(fixture.merchant.id).balance == 200_000 - 125_000)
            func cancel(_ id: String, key: String? = UUID().uuidString) async throws -> TestResponse {
                try await client.execute(uri: "/payments/\(id)/cancel", method: .post, headers: fixture.headers(key: key, contentType: nil))
            }
            #expect(try await cancel(first, key: nil).status == .badRequest, "an Idempotency-Key is required")
            let cancelled = try await cancel(first)
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["state"] as? String == "P_FAILED")
            #expect((cancelled.json["failure"] as? [String: Any])?["code"] as? String == "cancelled")
            #expect(try await fixture.store.merchant(fixture.merchant.id).balance == 200_000)
            let again = try await cancel(first)
            #expect(again.status == .ok && again.json["version"] as? Int == cancelled.json["version"] as? Int)
            #expect(try await fixture.get(client, "/payments/\(first)/events").json["data"].map { ($0 as? [Any])?.count } == 3)

            // The second failed its funds check at intake: failed otherwise, nothing to cancel.
            #expect(try await cancel(second).status == .conflict)
            #expect(try await cancel("pay_unknown").status == .notFound)
        }
    }

    @Test("authentication and isolation: no key, unknown key, revoked key, another merchant's payment", arguments: StoreImplementation.all)
    func authentication(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        let other = try await fixture.store.fundedMerchant(1_000_000, name: "globex")
        let (otherKey, otherSecret) = try await fixture.store.createAPIKey(merchantID: other.id)
        try await fixture.application.test(.router) { client in
            let id = try #require(try await fixture.post(client).json["id"] as? String)
            let anonymous = try await client.execute(uri: "/payments/\(id)", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.header("WWW-Authenticate") == "Bearer")
            #expect(try await fixture.get(client, "/payments/\(id)", bearer: "metl_sk_wrong").status == .unauthorized)

            // Another merchant: the payment does not exist for it, and its list is empty.
            let foreign = try await fixture.get(client, "/payments/\(id)", bearer: otherSecret)
            #expect(foreign.status == .notFound)
            #expect(try await fixture.get(client, "/payments/\(id)/events", bearer: otherSecret).status == .notFound)
            #expect((try await fixture.get(client, "/payments", bearer: otherSecret).json["data"] as? [Any])?.isEmpty == true)

            // Idempotency keys are per merchant: the other merchant's use of the same key is its own payment.
            let key = UUID().uuidString
            _ = try await fixture.post(client, key: key)
            var fields = fixture.headers(key: key, bearer: otherSecret)
            fields[.contentType] = "application/json"
            let otherCreate = try await client.execute(uri: "/payments/ach", method: .post, headers: fields,
                                                       body: ByteBuffer(string: APIFixture.paymentBody))
            #expect(otherCreate.status == .created)

            // A revoked key is refused once the key cache's second is over (APIKeyCacheTests), and from then on.
            let revoked = ContinuousClock.now
            _ = try await fixture.store.revokeAPIKey(id: otherKey.id, merchantID: other.id)
            var status = try await fixture.get(client, "/payments", bearer: otherSecret).status
            while status != .unauthorized, ContinuousClock.now - revoked < .seconds(10) {
                try await Task.sleep(for: .milliseconds(50))
                status = try await fixture.get(client, "/payments", bearer: otherSecret).status
            }
            #expect(status == .unauthorized)
            #expect(try await fixture.get(client, "/payments", bearer: otherSecret).status == .unauthorized)
        }
    }

    @Test("purge forgets only keys of final payments older than the cutoff", arguments: StoreImplementation.all)
    func purge(_ implementation: StoreImplementation) async throws {
        let fixture = try await APIFixture(implementation)
        try await fixture.application.test(.router) { client in
            let (finalKey, openKey) = (UUID().uuidString, UUID().uuidString)
            let id = try #require(try await fixture.post(client, key: finalKey).json["id"] as? String)
            _ = try await fixture.post(client, key: openKey)
            _ = try await fixture.store.transition(paymentID: id, steps: [
                TransitionStep(to: .failed, actor: .operator, reasonCode: "test", reasonText: "rejected",
                               failure: Failure(code: "R01", message: "insufficient funds")),
            ])
            #expect(try await fixture.store.purgeIdempotencyKeys(finalBefore: Date().addingTimeInterval(-60)) == 0)
            #expect(try await fixture.store.purgeIdempotencyKeys(finalBefore: Date().addingTimeInterval(60)) == 1)
            #expect(try await fixture.post(client, key: openKey).status == .conflict)
        }
    }

    @Test("a failure inside the intake transaction leaves no key behind: the retry creates the payment", arguments: StoreImplementation.all)
    func keyNotStuckAfterFailure(_ implementation: StoreImplementation) async throws {
        let failures = Mutex(1)
        let faults = FaultInjector { point in
            point == .afterPaymentInsert && failures.withLock { remaining in
                defer { remaining = max(0, remaining - 1) }
                return remaining > 0
            }
        }
        let fixture = try await APIFixture(implementation, faults: faults)
        try await fixture.application.test(.router) { client in
            let key = UUID().uuidString
            let failed = try await fixture.post(client, key: key)
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.header("Retry-After") == "1")
            #expect(try await fixture.store.payments(PaymentQuery()).isEmpty)
            let retried = try await fixture.post(client, key: key)
            #expect(retried.status == .created)
        }
    }
}
