import Foundation
import Payments
import SQLiteStore
import TestSupport

/// `metl-bench audit [ROWS] [DIR]`: a database with about ROWS covered rows (each payment writes
/// three: created, validated, its reservation), taken in 2,000 payments per transaction as an
/// import does, then the audit log verified in this process. The database is left in DIR for
/// `/usr/bin/time -v metl audit verify` to measure the command's peak memory.
enum AuditBench {
    static func run(rows: Int = 100_000, directory: String? = nil) async throws {
        let payments = max(1, rows / 3)
        report("== audit log: \(payments) payments, about \(payments * 3) covered rows")
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/metl.sqlite"
        let store = try SQLiteStore(path: path)
        let merchant = try await store.fundedMerchant(9_000_000_000_000, name: "bench")
        let (_, writing) = try await measure {
            var made = 0
            while made < payments {
                let count = min(2_000, payments - made)
                _ = try await store.intake((0..<count).map { index in
                    try Requests.intake(merchant, Requests.credit(amount: Int64(1_000 + (made + index) % 100_000)))
                })
                made += count
            }
        }
        report(String(format: "written in %.2f s", writing))
        let (verified, seconds) = try await measure { try await store.verifyAuditLog() }
        report(String(format: "verified %lld entries, %d rows in %.2f s (%.0f rows/s): %@", verified.entries, verified.rows, seconds,
                      Double(verified.rows) / seconds, verified.holds ? "holds" : "BROKEN"))
        report("database left at \(path): METL_DATABASE=\(path) /usr/bin/time -v metl audit verify")
    }
}
