import Foundation
import GRDB
import Payments
import Store
import TestSupport

/// `metl-bench import`: bulk import of 100,000 payments into a fresh database with durable commits.
enum ImportBench {
    /// An import file of `count` valid rows, one in four a debit.
    static func csv(count: Int) -> String {
        var lines = [CSVImportHeader.text]
        for index in 0..<count {
            lines.append("\(UUID().uuidString.lowercased()),\(1_000 + index % 5_000),\(index.isMultiple(of: 4) ? "debit" : "credit"),PPD,PAYROLL,\(Requests.effectiveDate),RECEIVER \(index % 1000),121042882,\(100_000 + index),checking,")
        }
        return lines.joined(separator: "\n")
    }

    static func run() async throws {
        report("== import (synchronous=FULL, WAL)")
        let count = 100_000
        let rules = PaymentRules()
        let text = csv(count: count)
        let (rows, parseSeconds) = try measure { try CSVImport.parse(text, rules: rules) }
        for chunk in [count, 1_000, 1] {
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
                var index = 0
                while index < intakes.count {
                    let end = min(index + chunk, intakes.count)
                    _ = try await store.intake(Array(intakes[index..<end]))
                    index = end
                }
            }
            let label = chunk == count ? "one transaction (metl payments import)" : "\(chunk) per transaction"
            report(String(format: "%7d payments, %@: %.2f s, %.0f payments/s", measured.count, label, seconds,
                          Double(measured.count) / seconds))
        }
        report(String(format: "CSV parse + validate of %d rows: %.2f s", count, parseSeconds))
        try await rawCommitRate()
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

enum CSVImportHeader {
    static let text = (CSVImport.requiredColumns + ["metadata"]).joined(separator: ",")
}
