import Payments
import Synchronization

/// Keys that authenticated in the last second, so a client's steady stream of requests does not read
/// the key table once per request. An entry lives `lifetime` (one second) from the moment its read
/// began, so a key revoked anywhere (the CLI, another instance) is refused within that second. Unknown
/// and revoked keys are never remembered: a new key works at once, and a wrong one always costs its
/// read. Entries are keyed by the secret's SHA-256, never the secret. The cached merchant identifies
/// the caller; routes read anything else (a balance) from the store.
final class APIKeyCache: Sendable {
    let keys: any APIKeyStore
    let lifetime: Duration
    /// Past this many keys the cache starts again rather than tracking ages.
    static let capacity = 10_000
    private let entries = Mutex<[String: (merchant: Merchant, read: ContinuousClock.Instant)]>([:])

    init(keys: any APIKeyStore, lifetime: Duration = .seconds(1)) {
        self.keys = keys
        self.lifetime = lifetime
    }

    func authenticate(secret: String) async throws -> Merchant? {
        let hash = APIKey.hash(secret: secret)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[hash] }), now - entry.read < lifetime { return entry.merchant }
        let merchant = try await keys.authenticate(secret: secret)
        entries.withLock { entries in
            guard let merchant else {
                entries[hash] = nil
                return
            }
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = (merchant, now)
        }
        return merchant
    }
}
