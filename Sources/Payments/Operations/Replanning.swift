/// Read, plan, persist, and again when what was read changed before the write: a stale version, a
/// key another writer took, a balance that moved (`StoreError.Code.conflict`). The write refused is
/// whole, so planning again from fresh reads is safe. Writers that keep meeting each other (many
/// credits on one balance from several instances) back off a random, growing few milliseconds so
/// that one of them gets through each round; after `attempts` the conflict is the answer.
enum Replanning {
    static let attempts = 16

    static func run<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as StoreError where error.code == .conflict && attempt < attempts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...(1 << min(attempt, 6)))))
                attempt += 1
            }
        }
    }
}
