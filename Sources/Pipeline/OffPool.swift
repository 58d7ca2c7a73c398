import Foundation

/// Blocking work (reading and hashing an archived file, waiting on a pipe) run on a global
/// dispatch queue, so it never holds one of Swift's few cooperative threads while it waits.
public enum OffPool {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
