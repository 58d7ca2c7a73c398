import Foundation
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// A named lease any job can hold: one holder at a time across processes and machines sharing the
/// database. A lease ends when its holder releases it, when it expires, or at once when its holder
/// is a process on this host that no longer exists (a killed run).
public struct JobLease: Sendable {
    public let name: String
    let store: any OutboundFileStore
    /// How long past the job's own window the lease outlives a holder that vanished without a trace.
    let grace: Duration

    public init(name: String, store: any OutboundFileStore, grace: Duration = .seconds(300)) {
        self.name = name
        self.store = store
        self.grace = grace
    }

    /// Runs `body` holding the lease for at most `duration` (plus the grace), releasing it however
    /// `body` ends. Another live holder: `PipelineError.Code.lockHeld`.
    public func holding<T: Sendable>(for duration: Duration, now: Date,
                                     _ body: () async throws(PipelineError) -> T) async throws(PipelineError) -> T {
        let owner = UUID().uuidString
        do {
            try await store.acquireLease(name, owner: owner, holder: Self.holder,
                                         expiresAt: now.addingTimeInterval((duration + grace).seconds), isGone: Self.holderIsGone)
        } catch let error as StoreError where error.code == .leaseHeld {
            throw PipelineError(.lockHeld, error.message)
        } catch {
            throw PipelineError(.internal, String(describing: error))
        }
        let result: Result<T, PipelineError>
        do throws(PipelineError) {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        try? await store.releaseLease(name, owner: owner)
        return try result.get()
    }

    /// This process, as a lease records its holder: `host:pid`.
    static let holder = "\(hostName):\(getpid())"

    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// A holder `host:pid` on this host whose process is gone can be taken over at once.
    static let holderIsGone: @Sendable (String) -> Bool = { holder in
        let parts = holder.split(separator: ":")
        guard parts.count == 2, String(parts[0]) == hostName, let pid = Int32(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
