import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NACHA
import Payments
import Testing
import TestSupport

/// The served OpenAPI document against the server: routes both ways, problem types both ways, and
/// real responses (statuses, content types, required members) against the documented ones.
@Suite("OpenAPI document")
struct OpenAPITests {
    struct Document {
        let root: [String: Any]

        var paths: [String: [String: Any]] { root["paths"] as? [String: [String: Any]] ?? [:] }

        func operation(_ route: APIRoute) -> [String: Any]? {
            paths[route.path]?[route.method.rawValue.lowercased()] as? [String: Any]
        }

        func resolve(_ value: Any?) -> [String: Any]? {
            guard let object = value as? [String: Any] else { return nil }
            guard let reference = object["$ref"] as? String else { return object }
            var node: Any? = root
            for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
            return resolve(node)
        }

        /// Checks `value` against the schema's type, required members, enums and item schemas.
        func check(_ value: Any, against schemaValue: Any?, at path: String, problems: inout [String]) {
            guard var schema = resolve(schemaValue) else { return }
            if let parts = (schema["allOf"] as? [Any])?.compactMap(resolve) {
                // allOf: one object with every part's required members and properties.
                schema = ["type": "object", "required": parts.flatMap { $0["required"] as? [String] ?? [] },
                          "properties": parts.reduce(into: [String: Any]()) { $0.merge($1["properties"] as? [String: Any] ?? [:]) { $1 } }]
            }
            let types: [String] = (schema["type"] as? [String]) ?? ((schema["type"] as? String).map { [$0] } ?? [])
            if value is NSNull {
                if !types.isEmpty && !types.contains("null") { problems.append("\(path) is null") }
                return
            }
            if let object = value as? [String: Any] {
                if !types.isEmpty && !types.contains("object") { problems.append("\(path) is an object") }
                for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                    problems.append("\(path).\(name) is missing")
                }
                let properties = schema["properties"] as? [String: Any] ?? [:]
                for (name, member) in object {
                    if let property = properties[name] {
                        check(member, against: property, at: "\(path).\(name)", problems: &problems)
                    } else if schema["additionalProperties"] as? Bool == false || (!properties.isEmpty && schema["additionalProperties"] == nil) {
                        problems.append("\(path).\(name) is not documented")
                    }
                }
            } else if let array = value as? [Any] {
                if !types.contains("array") { problems.append("\(path) is an array") }
                for (index, item) in array.enumerated() { check(item, against: schema["items"], at: "\(path)[\(index)]", problems: &problems) }
            } else if types == ["boolean"] {
                if !(value is Bool) { problems.append("\(path) is not a boolean") }
            } else if value is NSNumber, !(value is String) {
                if !types.contains("integer") && !types.contains("number") { problems.append("\(path) is a number") }
            } else if let text = value as? String {
                if !types.isEmpty && !types.contains("string") { problems.append("\(path) is a string") }
                if let allowed = schema["enum"] as? [String], !allowed.contains(text) { problems.append("\(path) = \(text) is not in the enum") }
            }
        }
    }

    static func document(_ client: some TestClientProtocol) async throws -> Document {
        let response = try await client.execute(uri: "/openapi.json", method: .get)
        #expect(response.status == .ok)
        return Document(root: try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]))
    }

    @Test("every routed operation is documented and every documented operation is routed")
    func routes() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.router) { client in
            let document = try await Self.document(client)
            #expect(document.root["openapi"] as? String == "3.1.0")
            let documented = Set(document.paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(documented == Set(APIRoute.all.map(\.description)))
            for route in APIRoute.all {
                let operation = try #require(document.operation(route))
                // Public routes opt out of the global bearer requirement, and only they do.
                if route.authenticated {
                    #expect(operation["security"] == nil, "\(route) must use the global bearer requirement")
                } else {
                    #expect((operation["security"] as? [Any])?.isEmpty == true, "\(route) must be documented as public")
                }
                let query = (operation["parameters"] as? [Any] ?? []).compactMap(document.resolve).filter { $0["in"] as? String == "query" }
                #expect(Set(query.compactMap { $0["name"] as? String }) == route.query, "\(route) takes the query it documents")
                let uri = route.path.replacingOccurrences(of: "{id}", with: "pay_none")
                let response = try await client.execute(uri: uri, method: route.method, headers: fixture.headers())
                #expect(response.status != .methodNotAllowed, "\(route) is not routed")
            }
        }
    }

    @Test("the problem types in the document are exactly the server's, with the same status and title")
    func problemTypes() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.router) { client in
            let document = try await Self.document(client)
            let documented = try #require(document.root["x-problem-types"] as? [String: [String: Any]])
            #expect(Set(documented.keys) == Set(ProblemType.all.map(\.code)))
            for type in ProblemType.all {
                #expect(documented[type.code]?["status"] as? Int == type.status.code, "\(type.code)")
                #expect(documented[type.code]?["title"] as? String == type.title, "\(type.code)")
            }
        }
    }

    @Test("responses to real requests match the documented status, content type and schema; examples are accepted")
    func responsesMatch() async throws {
        var configuration = APIConfiguration()
        configuration.webhookAddresses.allowPrivate = true
        // The documented example is accepted on the day before its effective date.
        configuration.today = { ACHDate(year: 2026, month: 11, day: 23) }
        let fixture = try await APIFixture(balance: 125_000, configuration: configuration)
        try await fixture.application.test(.router) { client in
            let document = try await Self.document(client)
            let example = try #require(((document.operation(.createPayment)?["requestBody"] as? [String: Any])?["content"]
                                        as? [String: [String: Any]])?["application/json"]?["example"])
            let exampleBody = String(decoding: try JSONSerialization.data(withJSONObject: example), as: UTF8.self)
            let key = UUID().uuidString
            var exchanges: [(APIRoute, TestResponse)] = []
            let created = try await fixture.post(client, body: exampleBody, key: key)
            #expect(created.status == .created, "the documented example is accepted")
            let id = created.json["id"] as? String ?? "pay_none"
            exchanges.append((.createPayment, created))
            exchanges.append((.createPayment, try await fixture.post(client, body: exampleBody)))      // 201 P_FAILED
            exchanges.append((.createPayment, try await fixture.post(client, body: exampleBody, key: key)))  // 409
            exchanges.append((.createPayment, try await fixture.post(client, body: "{", key: UUID().uuidString)))
            exchanges.append((.createPayment, try await fixture.post(client, body: "{}", key: UUID().uuidString)))
            exchanges.append((.createPayment, try await fixture.post(client, body: exampleBody, key: nil)))
            exchanges.append((.createPayment, try await fixture.post(client, body: exampleBody.replacingOccurrences(of: "125000", with: "0"))))
            exchanges.append((.createPayment, try await fixture.post(client, body: exampleBody.replacingOccurrences(of: "125000", with: "7"), key: key)))
            exchanges.append((.getPayment, try await fixture.get(client, "/payments/\(id)")))
            exchanges.append((.getPayment, try await fixture.get(client, "/payments/pay_none")))
            exchanges.append((.getPayment, try await fixture.get(client, "/payments/\(id)", bearer: "nope")))
            exchanges.append((.paymentEvents, try await fixture.get(client, "/payments/\(id)/events")))
            exchanges.append((.listPayments, try await fixture.get(client, "/payments?limit=1")))
            exchanges.append((.listPayments, try await fixture.get(client, "/payments?limit=x")))
            let hook = try await client.execute(uri: "/webhook-endpoints", method: .post, headers: fixture.headers(),
                                                body: ByteBuffer(string: #"{"url": "http://127.0.0.1:9/hook"}"#))
            exchanges.append((.createWebhookEndpoint, hook))
            exchanges.append((.createWebhookEndpoint, try await client.execute(uri: "/webhook-endpoints", method: .post,
                                                                              headers: fixture.headers(), body: ByteBuffer(string: #"{"url": "x"}"#))))
            exchanges.append((.listWebhookEndpoints, try await fixture.get(client, "/webhook-endpoints")))
            let hookID = hook.json["id"] as? String ?? "whe_none"
            for (route, action) in [(APIRoute.disableWebhookEndpoint, "disable"), (.enableWebhookEndpoint, "enable"),
                                    (.rotateWebhookSecret, "rotate-secret")] {
                exchanges.append((route, try await client.execute(uri: "/webhook-endpoints/\(hookID)/\(action)", method: .post,
                                                                  headers: fixture.headers())))
            }
            exchanges.append((.disableWebhookEndpoint, try await client.execute(uri: "/webhook-endpoints/whe_none/disable",
                                                                               method: .post, headers: fixture.headers())))
            let account = try await Checks.account(fixture.store, merchant: fixture.merchant)
            let checkBody = #"{"account_id": "\#(account.id)", "serial": "10001", "amount": 12345, "issue_date": "2026-11-23", "payee": "JANE DOE"}"#
            let checkKey = UUID().uuidString
            let check = try await client.execute(uri: "/positive-pay/checks", method: .post, headers: fixture.headers(key: checkKey),
                                                 body: ByteBuffer(string: checkBody))
            exchanges.append((.createCheck, check))
            exchanges.append((.createCheck, try await client.execute(uri: "/positive-pay/checks", method: .post,
                                                                    headers: fixture.headers(key: checkKey), body: ByteBuffer(string: checkBody))))
            exchanges.append((.createCheck, try await client.execute(uri: "/positive-pay/checks", method: .post, headers: fixture.headers(),
                                                                    body: ByteBuffer(string: #"{"account_id": "acc_none", "serial": "x", "amount": 1, "issue_date": "2026-11-23"}"#))))
            let checkID = check.json["id"] as? String ?? "chk_none"
            exchanges.append((.getCheck, try await fixture.get(client, "/positive-pay/checks/\(checkID)")))
            exchanges.append((.getCheck, try await fixture.get(client, "/positive-pay/checks/chk_none")))
            exchanges.append((.listChecks, try await fixture.get(client, "/positive-pay/checks?limit=1")))
            exchanges.append((.listChecks, try await fixture.get(client, "/positive-pay/checks?state=NOPE")))
            exchanges.append((.voidCheck, try await client.execute(uri: "/positive-pay/checks/\(checkID)/void", method: .post,
                                                                  headers: fixture.headers())))
            exchanges.append((.voidCheck, try await client.execute(uri: "/positive-pay/checks/chk_none/void", method: .post,
                                                                  headers: fixture.headers())))
            exchanges.append((.listCheckExceptions, try await fixture.get(client, "/positive-pay/exceptions?status=open")))
            exchanges.append((.listCheckExceptions, try await fixture.get(client, "/positive-pay/exceptions?status=nope")))
            var planner = CheckPlanner(endpoints: [:])
            for (reference, deadline) in [("EX-1", Date().addingTimeInterval(3_600)), ("EX-2", Date().addingTimeInterval(-60))] {
                planner.open(CheckException(id: "exc_" + reference, bankReference: reference, merchantID: fixture.merchant.id,
                                            accountID: account.id, checkID: nil, serial: "9", presentedAmount: 100, issuedAmount: nil,
                                            presentedPayee: "X", reason: .paidNotIssued, defaultDecision: .return, deadline: deadline,
                                            status: .open, source: .inboundFile(id: "inb_x", line: 2), createdAt: Date()), on: nil)
            }
            try await fixture.store.persist(planner.plan)
            exchanges.append((.listCheckExceptions, try await fixture.get(client, "/positive-pay/exceptions")))
            func decide(_ id: String, _ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/positive-pay/exceptions/\(id)/decision", method: .post, headers: fixture.headers(),
                                         body: ByteBuffer(string: body))
            }
            let decided = try await decide("exc_EX-1", #"{"decision": "return", "return_reason": "REFER TO MAKER"}"#)
            #expect(decided.status == .created)
            exchanges.append((.decideCheckException, decided))
            exchanges.append((.decideCheckException, try await decide("exc_EX-1", #"{"decision": "pay"}"#)))      // 409 state_conflict
            exchanges.append((.decideCheckException, try await decide("exc_EX-2", #"{"decision": "pay"}"#)))      // 409 deadline_passed
            exchanges.append((.decideCheckException, try await decide("exc_none", #"{"decision": "pay"}"#)))      // 404
            exchanges.append((.decideCheckException, try await decide("exc_EX-2", #"{"decision": "maybe"}"#)))    // 422
            exchanges.append((.decideCheckException, try await decide("exc_EX-2", #"{"nope": 1}"#)))              // 400
            exchanges.append((.getCheckException, try await fixture.get(client, "/positive-pay/exceptions/exc_EX-1")))
            exchanges.append((.getCheckException, try await fixture.get(client, "/positive-pay/exceptions/exc_none")))     // 404
            for route in [APIRoute.health, .readiness, .metrics, .openAPI] {
                exchanges.append((route, try await client.execute(uri: route.path, method: .get)))
            }
            for (route, response) in exchanges {
                let operation = try #require(document.operation(route))
                let responses = operation["responses"] as? [String: Any] ?? [:]
                let documented = try #require(document.resolve(responses[String(response.status.code)]),
                                              "\(route) answered \(response.status.code), which is not documented")
                let content = documented["content"] as? [String: [String: Any]] ?? [:]
                let mediaType = String((response.contentType ?? "").split(separator: ";").first ?? "")
                let media = try #require(content[mediaType], "\(route) \(response.status.code) sent \(mediaType)")
                if mediaType.hasSuffix("json") {
                    var problems: [String] = []
                    let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
                    document.check(value, against: media["schema"], at: "\(route) \(response.status.code)", problems: &problems)
                    #expect(problems.isEmpty, "\(problems)")
                }
                if mediaType == "application/problem+json" {
                    let code = (response.json["type"] as? String ?? "").split(separator: "/").last.map(String.init) ?? ""
                    #expect((documented["description"] as? String ?? "").contains(code), "\(route): \(code) is not listed")
                }
            }
        }
    }
}
