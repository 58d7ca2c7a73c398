import Foundation
import GRDB
import Payments
import Pipeline
import Store
import TestSupport

/// `metl-bench import`: bulk import of 100,000 payments into a fresh database with durable commits.
enum ImportBench {
    static func run() async throws {
        report("== import (synchronous=FULL, WAL)")
        let count = 100_000
        let rules = PaymentRules()
        let text = ImportCSV.text(count: count)
        let (rows, parseSeconds) = try measure { try CSVImport.parse(text, rules: rules) }
        // nil: the staged import `metl payments import` runs; a number: that many intakes per transaction.
        for chunk in [nil, count, 1_000, 1] as [Int?] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteStore(path: directory.appendingPathComponent("bench.sqlite").path)
            let merchant = try await store.addMerchant(name: "bench", companyID: "1234567890", companyName: "BENCH")
            _ = try await store.fund(merchantID: merchant.id, amount: 9_000_000_000, actor: .operator, reference: "bench")
            let measured = chunk == 1 ? Array(rows.prefix(2_000)) : rows
            let intakes = measured.map {
                PaymentIntake(merchantID: merchant.id, idempotencyKey: $0.idempotencyKey, request: $0.request, actor: .cli,
                              source: SourceReference.csvImport(file: "bench", line: $0.line))
            }
            let (_, seconds) = try await measure {
                guard let chunk else {
                    _ = try await PaymentImportJob(store: store).run(intakes, merchantID: merchant.id, source: "bench")
                    return
                }
                var index = 0
                while index < intakes.count {
                    let end = min(index + chunk, intakes.count)
                    _ = try await store.intake(Array(intakes[index..<end]))
                    index = end
                }
            }
            let label = chunk.map { $0 == count ? "one transaction" : "\($0) per transaction" } ?? "staged in chunks (metl payments import)"
            report(String(format: "%7d payments, %@: %.2f s, %.0f payments/s", measured.count, label, seconds,
                          Double(measured.count) / seconds))
        }
        report(String(format: "CSV parse + validate of %d rows: %.2f s", count, parseSeconds))
        try await rawCommitRate()
    }

    /// `metl-bench csv [ROWS]`: CSV parse + validate alone, best of 5 (the import's first step).
    static func parse(rows count: Int) throws {
        report("== csv (parse + validate, in memory)")
        let text = ImportCSV.text(count: count)
        var best = Double.infinity
        for _ in 0..<5 {
            let (rows, seconds) = try measure { try CSVImport.parse(text, rules: PaymentRules()) }
            precondition(rows.count == count)
            best = min(best, seconds)
        }
        report(String(format: "CSV parse + validate of %d rows (%.1f MB): %.3f s best of 5 (goal ≤ 0.3 s at 100,000)", count,
                      Double(text.utf8.count) / 1e6, best))
    }

    /// The floor every durable write pays on this disk: one-row FULL-sync commits, same run, same disk.
    @discardableResult
    static func rawCommitRate() async throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = Configuration()
        configuration.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: directory.appendingPathComponent("raw.sqlite").path, configuration: configuration)
        try await pool.write { try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)") }
        let commits = 2_000
        let (_, seconds) = try await measure {
            for index in 0..<commits {
                try await pool.write { try $0.execute(sql: "INSERT INTO t (v) VALUES (?)", arguments: ["row \(index)"]) }
            }
        }
        let rate = Double(commits) / seconds
        report(String(format: "raw single-row FULL-sync commits on the same disk: %.0f commits/s", rate))
        return rate
    }
}
