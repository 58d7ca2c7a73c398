/// Read, plan, persist, and again when what was read changed before the write: a stale version, a
/// key another writer took, a balance that moved (`StoreError.Code.conflict`). The write refused is
/// whole, so planning again from fresh reads is safe; after `attempts` the conflict is the answer.
enum Replanning {
    static let attempts = 5

    static func run<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as StoreError where error.code == .conflict && attempt < attempts {
                attempt += 1
            }
        }
    }
}
