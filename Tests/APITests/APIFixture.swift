import API
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import Payments
import TestSupport

/// A database with a funded merchant and its API key, and the API application over it, on the store
/// `implementation` names (the endpoint tests run on each).
struct APIFixture {
    let database: any StoreDatabase
    let store: any LedgerStore
    let merchant: Merchant
    let key: String
    let application: Application<RouterResponder<APIRequestContext>>

    init(_ implementation: StoreImplementation = .sqlite, balance: Int64 = 10_000_000, faults: FaultInjector = .none,
         configuration: APIConfiguration = APIConfiguration()) async throws {
        database = try await implementation.makeDatabase()
        store = try await database.open(faults: faults)
        merchant = try await store.fundedMerchant(balance)
        key = try await store.createAPIKey(merchantID: merchant.id).secret
        application = APIServer.buildApplication(store: store, configuration: configuration,
                                            logger: Logger(label: "metl.api.test") { _ in SwiftLogNoOpLogHandler() })
    }

    static var paymentBody: String { #"""
        {"amount": 125000, "direction": "credit", "sec_code": "PPD", "description": "PAYROLL",
         "effective_date": "\#(Requests.effectiveDate)", "metadata": {"invoice": "INV-1"},
         "counterparty": {"name": "JANE DOE", "routing_number": "121042882", "account_number": "12345678",
                          "account_type": "checking"}}
        """# }

    func headers(key idempotencyKey: String? = UUID().uuidString, bearer: String? = nil,
                 contentType: String? = "application/json") -> HTTPFields {
        var fields: HTTPFields = [:]
        fields[.authorization] = "Bearer \(bearer ?? key)"
        if let idempotencyKey { fields[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        if let contentType { fields[.contentType] = contentType }
        return fields
    }

    /// `POST /payments/ach` with the fixture's key.
    func post(_ client: some TestClientProtocol, body: String = APIFixture.paymentBody, key: String? = UUID().uuidString,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers(key: key)
        fields.append(contentsOf: extra)
        return try await client.execute(uri: "/payments/ach", method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    func get(_ client: some TestClientProtocol, _ uri: String, bearer: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers(key: nil, bearer: bearer, contentType: nil))
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }
    var text: String { String(buffer: body) }
    var contentType: String? { headers[.contentType] }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}
