/// Group commit for concurrent intakes: requests that arrive while a transaction is being written
/// wait and are then written together in the next one. Each caller is answered only after the
/// transaction holding its payment has committed (FULL sync), so durability is unchanged; what is
/// saved is one fsync per request. A lone request is written at once, without waiting for company.
public actor GroupCommit {
    private let store: any PaymentStore
    private let maximumBatch: Int
    private var waiting: [(intake: PaymentIntake, reply: CheckedContinuation<Result<IntakeOutcome, any Error>, Never>)] = []
    private var writing = false

    public init(store: any PaymentStore, maximumBatch: Int = 512) {
        self.store = store
        self.maximumBatch = maximumBatch
    }

    /// Takes in one payment; the outcome is committed when this returns.
    public func submit(_ intake: PaymentIntake) async -> Result<IntakeOutcome, any Error> {
        await withCheckedContinuation { reply in
            waiting.append((intake, reply))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maximumBatch))
            waiting.removeFirst(batch.count)
            let results: [Result<IntakeOutcome, any Error>]
            do {
                results = try await store.intakeEach(batch.map(\.intake)).map { $0.mapError { $0 as any Error } }
            } catch {
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (waiter, result) in zip(batch, results) { waiter.reply.resume(returning: result) }
        }
        writing = false
    }
}
