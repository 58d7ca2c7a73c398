import API
import Console
import Foundation
import Hummingbird
import Payments
import Pipeline
import SQLiteStore
import TestSupport

/// `metl-bench console [PAYMENTS] [FILES]`: the console over a SQLite ledger of 1,000,000 payments
/// in 1,000 sent files (default), served on loopback in this process; every page read 15 times by
/// curl with a signed-in session. The figure is the server's time to the first byte
/// (`time_starttransfer - time_connect`): median and slowest. The goal is under 100 ms for each.
enum ConsoleBench {
    static func run(payments: Int = 1_000_000, files: Int = 1_000) async throws {
        report("== console: \(payments) payments in \(files) files (SQLite), each page 15 times")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-bench-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("bank"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("metl.sqlite").path)
        let merchant = try await store.fundedMerchant(9_000_000_000_000, name: "bench")
        let archive = Archive(root: directory.appendingPathComponent("archive").path)
        // A bank takes 36 files a day from one origin (file ID modifiers A-Z, 0-9): the payments are
        // taken in and sent in stages of 36 files, each stage from its own immediate origin.
        let perFile = max(1, payments / files)
        let perStage = perFile * FileAssembler.modifiers.count
        var (made, stage, sent) = (0, 0, 0)
        let (_, seeding) = try await measure {
            while made < payments {
                let stageEnd = min(payments, made + perStage)
                while made < stageEnd {
                    let count = min(20_000, stageEnd - made)
                    _ = try await store.intake((0..<count).map { index in
                        try Requests.intake(merchant, Requests.credit(amount: Int64(1_000 + (made + index) % 100_000)))
                    })
                    made += count
                }
                let settings = CutoffJob.Settings(
                    profile: try BankProfile(odfiRouting: "121042882", immediateDestination: "091000019",
                                             immediateOrigin: String(1_000_000_000 + stage), originName: "METL BENCH",
                                             destinationName: "FEDERAL RESERVE BANK"),
                    destination: LocalDirectoryDestination(directory: directory.appendingPathComponent("bank").path), archive: archive,
                    limits: FileAssembler.Limits(maximumEntriesPerFile: perFile))
                sent += try await CutoffJob(settings: settings, store: store, logger: LoopbackServer.quiet).run().filesUploaded
                stage += 1
            }
        }
        report(String(format: "seeded %d payments and sent them in %d files in %.1f s", made, sent, seeding))

        let password = UUID().uuidString
        _ = try await store.enroll(name: "bench", roles: [.admin, .approver, .operator], email: nil, password: password, by: nil, at: Date())
        var configuration = ConsoleConfiguration()
        configuration.archive = archive
        let console = try Console(store: store, configuration: configuration, logger: LoopbackServer.quiet)
        let server = await LoopbackServer.start(making: {
            APIServer.buildApplication(store: store, additionalRoutes: [console.routes(context: APIRequestContext.self)],
                                       logger: LoopbackServer.quiet, onServerRunning: $0)
        })
        let base = "http://127.0.0.1:\(server.port)"
        let jar = directory.appendingPathComponent("cookies").path
        let page = try ExternalCommand.run("/usr/bin/curl", ["-s", "-c", jar, "-b", jar, base + "/console/sign-in"])
        guard let token = page.range(of: #"name="csrf" value=""#).map({ String(page[$0.upperBound...].prefix { $0 != "\"" }) }) else {
            throw BenchError(message: "no sign-in form")
        }
        _ = try ExternalCommand.run("/usr/bin/curl", ["-s", "-c", jar, "-b", jar, "-o", "/dev/null", "--data-urlencode", "csrf=\(token)",
                                                      "--data-urlencode", "operator=bench", "--data-urlencode", "password=\(password)",
                                                      base + "/console/sign-in"])
        let file = try await store.outboundFiles(statuses: nil)[files / 2]
        let newest = try await store.payments(PaymentQuery(window: ListWindow(newestFirst: true, limit: 60)))
        let one = newest[0]
        let trace = one.submission.map { String($0.traceNumber) } ?? ""
        let secondPage = "/console/payments?cursor=" + ListCursor.encode(newest[49].id)
        let pages = [
            "/console/today", "/console/files", "/console/files?status=uploaded&kind=nacha", "/console/files/\(file.id)",
            "/console/payments", secondPage, "/console/payments?state=P_SUBMITTED_TO_CORE", "/console/payments?min=500&max=600",
            "/console/payments?trace=\(trace)", "/console/payments?merchant=bench&from=2000-01-01",
            "/console/payments?file=\(file.id)", "/console/payments/\(one.id)", "/console/bank-files", "/console/positive-pay",
            "/console/approvals", "/console/approvals?show=all", "/console/webhooks", "/console/audit", "/console/audit?action=file_rendered",
            "/console/operators", "/console/account",
        ]
        var slowest = 0.0
        for path in pages {
            var times: [Double] = []
            var status = ""
            for _ in 0..<15 {
                let output = try ExternalCommand.run("/usr/bin/curl", ["-s", "-b", jar, "-o", "/dev/null", "-w",
                                                                       "%{http_code} %{time_connect} %{time_starttransfer}", base + path])
                let fields = output.split(separator: " ")
                status = String(fields[0])
                times.append(((Double(fields[2]) ?? 0) - (Double(fields[1]) ?? 0)) * 1_000)
            }
            times.sort()
            slowest = max(slowest, times[times.count / 2])
            report(String(format: "%@ %@: median %.1f ms, slowest %.1f ms", status, path.count > 70 ? String(path.prefix(70)) + "…" : path,
                          times[times.count / 2], times.last ?? 0))
        }
        report(String(format: "slowest page median: %.1f ms (goal: under 100 ms)", slowest))
        await server.stop()
    }
}
