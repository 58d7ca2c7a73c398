import Foundation
import Payments

/// Import files for tests and benches: `count` valid rows with fresh keys, one in four a debit.
public enum ImportCSV {
    public static func text(count: Int) -> String {
        var lines = [(CSVImport.requiredColumns + ["metadata"]).joined(separator: ",")]
        lines.reserveCapacity(count + 1)
        for index in 0..<count {
            lines.append("\(UUID().uuidString.lowercased()),\(1_000 + index % 5_000),\(index.isMultiple(of: 4) ? "debit" : "credit"),PPD,PAYROLL,\(Requests.effectiveDate),RECEIVER \(index % 1000),121042882,\(100_000 + index),checking,")
        }
        return lines.joined(separator: "\n")
    }
}
