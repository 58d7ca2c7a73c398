import Foundation
import NACHA

/// `metl-bench nacha`: write and parse+validate 100k- and 1M-entry files; streaming memory.
enum NACHABench {
    static func file(entries: Int) -> ACHFile {
        let odfi = 12_104_288
        let perBatch = 10_000
        var batches: [Batch] = []
        var trace = 0
        for batchIndex in 0..<((entries + perBatch - 1) / perBatch) {
            var batchEntries: [Entry] = []
            let count = min(perBatch, entries - batchIndex * perBatch)
            batchEntries.reserveCapacity(count)
            for index in 0..<count {
                trace += 1
                batchEntries.append(Entry(EntryDetail(
                    transactionCode: index.isMultiple(of: 3) ? .checkingDebit : .checkingCredit,
                    routingNumber: index.isMultiple(of: 2) ? "091000019" : "076401251", accountNumber: "\(100_000 + index)",
                    amount: Int64(1 + index % 50_000), identificationNumber: "ID\(index)", individualName: "RECEIVER \(index % 1000)",
                    traceNumber: odfi * 10_000_000 + trace)))
            }
            batches.append(Batch(header: BatchHeader(
                companyName: "METL BENCH", companyIdentification: "1234567890", standardEntryClass: .ppd,
                companyEntryDescription: "PAYROLL", effectiveEntryDate: ACHDate(year: 2026, month: 11, day: 23),
                originatingDFI: odfi, batchNumber: batchIndex + 1), entries: batchEntries))
        }
        return ACHFile(header: FileHeader(immediateDestination: "121042882", immediateOrigin: "1234567890",
                                          creationDate: ACHDate(year: 2026, month: 11, day: 20), creationTime: ACHTime(hour: 14, minute: 30),
                                          fileIDModifier: "A"), batches: batches)
    }

    static func run() throws {
        report("== nacha (release build, \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        var paths: [(Int, String)] = []
        for entries in [100_000, 1_000_000] {
            let model = file(entries: entries)
            // Best of several runs for each phase: the machine is shared, the minimum is the cost.
            let repetitions = entries > 100_000 ? 3 : 15
            var bytes: [UInt8] = []
            var writeBest = Double.infinity
            for _ in 0..<repetitions {
                let (rendered, seconds) = try measure { try Writer().render(model) }
                bytes = rendered
                writeBest = min(writeBest, seconds)
            }
            var parseBest = Double.infinity
            var errors = 0
            for _ in 0..<repetitions {
                let (result, seconds) = measure { Reader.read(bytes) }
                errors = result.errorCount
                parseBest = min(parseBest, seconds)
            }
            var validateBest = Double.infinity
            for _ in 0..<repetitions {
                let (_, seconds) = measure { Reader.read(bytes, options: .init(buildModel: false)) }
                validateBest = min(validateBest, seconds)
            }
            let megabytes = Double(bytes.count) / 1_000_000
            report(String(format: "%8d entries  %6.1f MB  write %7.1f ms (%5.0f MB/s)  parse+validate+model %7.1f ms (%9.0f entries/s, %5.0f MB/s)  validate-only %7.1f ms  errors %d",
                          entries, megabytes, writeBest * 1000, megabytes / writeBest, parseBest * 1000,
                          Double(entries) / parseBest, megabytes / parseBest, validateBest * 1000, errors))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-\(entries).ach").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append((entries, path))
        }
        // Streaming memory: a fresh process per file so each peak is its own.
        for (entries, path) in paths {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["nacha-stream", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            process.waitUntilExit()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            report(String(format: "%8d entries  streaming validate from disk: %@", entries, output.trimmingCharacters(in: .whitespacesAndNewlines)))
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    static func streamChild(path: String) throws {
        let before = peakMemoryMiB()
        let (result, seconds) = try measure { try Reader.read(path: path) }
        print(String(format: "%.1f ms, %d errors, peak RSS %.1f MiB (%.1f MiB at start)", seconds * 1000, result.errorCount,
                     peakMemoryMiB(), before))
    }
}
