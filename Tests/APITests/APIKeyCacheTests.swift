import Foundation
import Payments
import Testing
import TestSupport
@testable import API

@Suite("API key cache")
struct APIKeyCacheTests {
    @Test("a key that authenticated is answered from memory within its lifetime, read again after it, and refused once revoked")
    func lifetime() async throws {
        let database = try TemporaryDatabase()
        let store = try database.store()
        let merchant = try await store.fundedMerchant(1_000)
        let (key, secret) = try await store.createAPIKey(merchantID: merchant.id)
        let remembering = APIKeyCache(keys: store, lifetime: .seconds(3_600))
        let brief = APIKeyCache(keys: store, lifetime: .milliseconds(200))
        #expect(try await remembering.authenticate(secret: secret)?.id == merchant.id)
        #expect(try await brief.authenticate(secret: secret)?.id == merchant.id)

        _ = try await store.revokeAPIKey(id: key.id, merchantID: merchant.id)
        // Within its lifetime the cache answers for what it read…
        #expect(try await remembering.authenticate(secret: secret)?.id == merchant.id)
        // …and once the lifetime is over it reads the key again and refuses it, from then on.
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await brief.authenticate(secret: secret) == nil)
        #expect(try await brief.authenticate(secret: secret) == nil)
        #expect(APIKeyCache(keys: store).lifetime == .seconds(1))
    }
}
