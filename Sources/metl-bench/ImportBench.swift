import Foundation
import GRDB
import Payments
import Pipeline
import SQLiteStore
import TestSupport

/// `metl-bench import [ROWS]`: bulk import of 100,000 payments into a fresh database with durable
/// commits: the staged import `metl payments import` runs (reading the CSV file, parse and validate
/// included) against its raw baseline, then plain intakes in one transaction, 1,000 per transaction
/// and one each.
enum ImportBench {
    static func run(rows count: Int = 100_000, stop: StopAfter? = nil) async throws {
        report("== import of \(count) rows (synchronous=FULL, WAL)")
        let text = ImportCSV.text(count: count)
        // nil: the staged import `metl payments import` runs; a number: that many intakes per transaction.
        for chunk in [nil, count, 1_000, 1] as [Int?] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("bench.sqlite").path
            let store = try SQLiteStore(path: path)
            let merchant = try await store.addMerchant(name: "bench", companyID: "1234567890", companyName: "BENCH")
            _ = try await store.fund(merchantID: merchant.id, amount: 9_000_000_000, actor: .operator, reference: "bench")
            guard let chunk else {
                let baseline = try await RawWriteBaseline.snapshot(of: path)
                let file = directory.appendingPathComponent("import.csv")
                try Data(text.utf8).write(to: file)
                if stop == .setup { return }
                let (summary, seconds) = try await measure {
                    try await PaymentImportJob(store: store).run(csv: try FileHandle(forReadingFrom: file), merchantID: merchant.id,
                                                                 source: "bench", actor: .cli, rules: PaymentRules())
                }
                report(String(format: "%7d payments, read, checked and staged in chunks (metl payments import): %.2f s, %.0f payments/s",
                              summary.created, seconds, Double(summary.created) / seconds))
                if stop == .job { return }
                let changes = try await baseline.changes(madeIn: path)
                let raw = try await baseline.write(changes)
                report(String(format: "raw baseline, the same rows (%@) in one transaction: %.2f s; import = %.2f× raw (goal ≤ 2×)",
                              changes.summary, raw, seconds / raw))
                continue
            }
            let rows = try CSVImport.parse(text, rules: PaymentRules())
            let measured = (chunk == 1 ? Array(rows.prefix(2_000)) : rows).map {
                PaymentIntake(merchantID: merchant.id, idempotencyKey: $0.idempotencyKey, request: $0.request, actor: .cli,
                              source: SourceReference.csvImport(file: "bench", line: $0.line))
            }
            let (_, seconds) = try await measure {
                var index = 0
                while index < measured.count {
                    let end = min(index + chunk, measured.count)
                    _ = try await store.intake(Array(measured[index..<end]))
                    index = end
                }
            }
            report(String(format: "%7d payments, %@: %.2f s, %.0f payments/s", measured.count,
                          chunk == count ? "one transaction" : "\(chunk) per transaction", seconds, Double(measured.count) / seconds))
        }
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
