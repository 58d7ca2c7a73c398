import Foundation
import NACHA
import Testing
import TestSupport

/// Bank profiles from a configuration file, as an operator runs them: two merchants on two banks,
/// each bank a real sshd, and the configuration mistakes refused before anything runs.
@Suite(.serialized) struct ProfilesCLITests {
    static func profile(_ server: SSHServer, routing: String, destination: String, name: String, merchants: [String]) -> [String: Any] {
        [
            "odfi": ["routing": routing, "immediate_destination": destination, "origin_name": name, "destination_name": "\(name) OPS"],
            "destinations": ["ach": "sftp://\(server.username)@127.0.0.1:\(server.port)\(server.root)"],
            "sftp": ["identity_file": server.clientKeyPath, "known_hosts": server.knownHostsPath],
            "filenames": ["ach": "\(name)_{yyyyMMdd}_{modifier}.ach"],
            "time_zone": "America/New_York",
            "merchants": merchants,
        ]
    }

    static func write(_ object: Any, to path: String) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    @Test func twoMerchantsOnTwoBanksMakeTwoFilesEachWithItsOwnODFIAndTraceSequence() async throws {
        let primary = try SSHServer.start()
        defer { primary.stop() }
        let backup = try SSHServer.start()
        defer { backup.stop() }
        let directory = primary.directory.appendingPathComponent("metl")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("metl.json").path
        let passphrase = directory.appendingPathComponent("passphrase").path
        try "not-shown-anywhere".write(toFile: passphrase, atomically: true, encoding: .utf8)
        var backupProfile = Self.profile(backup, routing: "026009593", destination: "011000015", name: "BACKUP BANK", merchants: ["globex"])
        backupProfile["line_ending"] = "crlf"
        backupProfile["sftp"] = ["identity_file": backup.clientKeyPath, "known_hosts": backup.knownHostsPath, "identity_passphrase_file": passphrase]
        try Self.write([
            "database": directory.appendingPathComponent("metl.sqlite").path,
            "default_profile": "primary",
            "profiles": [
                "primary": Self.profile(primary, routing: "121042882", destination: "091000019", name: "PRIMARY BANK", merchants: []),
                "backup": backupProfile,
            ],
        ], to: config)
        let environment = ["METL_CONFIG": config, "METL_CLOCK": CLI.demoClock]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }

        for merchant in ["acme", "globex"] {
            #expect(try metl("merchants", "add", merchant, "--company-id", "1234567890", "--company-name", merchant.uppercased()).status == 0)
            #expect(try metl("merchants", "fund", merchant, "10000000").status == 0)
            #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", merchant).status == 0)
        }

        let listed = try metl("profiles", "list", "--json")
        #expect(listed.status == 0, "\(listed.stderr)")
        let profiles = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(profiles?.compactMap { $0["name"] as? String } == ["backup", "primary"])
        #expect(profiles?.first { $0["name"] as? String == "primary" }?["default"] as? Bool == true)
        let shown = try metl("profiles", "show", "backup")
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("026009593") && shown.stdout.contains("redacted (from \(passphrase))"))
        #expect(!shown.stdout.contains("not-shown-anywhere"))
        let checked = try metl("profiles", "check", "primary")
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.contains("ok   ach destination"))

        let run = try metl("cutoff", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let summaries = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
        #expect(summaries?.compactMap { $0["profile"] as? String } == ["backup", "primary"])
        #expect(summaries?.allSatisfy { $0["payments_submitted"] as? Int == 6 } == true)

        // One file on each bank's server, with that bank's identity and its own trace sequence from 1.
        for (server, odfi, destination, name, ending) in [(primary, "121042882", "091000019", "PRIMARY BANK", [UInt8(0x0A)]),
                                                         (backup, "026009593", "011000015", "BACKUP BANK", [0x0D, 0x0A])] {
            let names = try FileManager.default.contentsOfDirectory(atPath: server.root).filter { $0.hasSuffix(".ach") }
            #expect(names.count == 1)
            let fileName = try #require(names.first)
            #expect(fileName.hasPrefix(name))
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: server.root + "/" + fileName)))
            #expect(Array(bytes[94..<(94 + ending.count)]) == ending)
            let read = Reader.read(bytes)
            #expect(!read.hasErrors && !read.hasWarnings)
            let file = try #require(read.file)
            #expect(file.header.immediateOrigin == odfi && file.header.immediateDestination == destination)
            #expect(file.header.immediateOriginName == name)
            let traces = file.batches.flatMap(\.entries).map(\.detail.traceNumber).sorted()
            #expect(traces == (1...6).map { Int(odfi.prefix(8))! * 10_000_000 + $0 })
            #expect(file.batches.allSatisfy { $0.header.originatingDFI == Int(odfi.prefix(8))! })
        }

        // Each file records the profile whose cutoff rendered it; the list filters on it.
        for (profile, count) in [("primary", 1), ("backup", 1), ("nowhere", 0)] {
            let listed = try metl("files", "list", "--profile", profile, "--json")
            let data = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["data"] as? [[String: Any]]
            #expect(data?.count == count && data?.allSatisfy { $0["profile"] as? String == profile } == true, "\(listed.stdout)")
        }

        // One profile alone, under its own lock: nothing left to send.
        let again = try metl("cutoff", "--profile", "backup", "--json")
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"profile\" : \"backup\"") || again.stdout.contains("\"profile\":\"backup\""))
        // A flag that would override every profile's value is refused; with --profile it applies to that one.
        #expect(try CLI.run(["cutoff", "--origin-name", "X"], environment: environment).status == 2)
        #expect(try metl("cutoff", "--profile", "nowhere").status == 2)

        // A bank that does not answer fails its check, exit 9 (a server unreachable, not a setting), and says where.
        backup.stop()
        let down = try metl("profiles", "check", "backup")
        #expect(down.status == 9)
        #expect(down.stdout.contains("FAIL ach destination: sftp://\(backup.username)@127.0.0.1:\(backup.port)"))
    }

    @Test func badConfigurationFailsBeforeAnythingRunsWithEveryProblemPrinted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("metl.json").path
        let database = directory.appendingPathComponent("metl.sqlite").path
        // Two problems are enough here: MetlConfigurationTests holds the rules, each at its key.
        try Self.write(["database": database, "max_payment_cents": true, "cutof_window": "15m"], to: config)
        let result = try CLI.run(["cutoff"], environment: ["METL_CONFIG": config])
        #expect(result.status == 8)
        // One problem a line, each with its own prefix, as syslog and grep read them.
        let lines = result.stderr.split(separator: "\n").map(String.init)
        for expected in ["metl: \(config): max_payment_cents: must be a whole number", "metl: \(config): cutof_window: unknown key"] {
            #expect(lines.contains(expected), "\(expected) not a line of \(result.stderr)")
        }
        // Nothing ran: not even the database was created.
        #expect(!FileManager.default.fileExists(atPath: database))
        // Every command reads the same file, and refuses it the same way.
        #expect(try CLI.run(["payments", "list"], environment: ["METL_CONFIG": config]).status == 8)
        // A key written twice: refused where it is, never read with one of its values dropped.
        try "{\"database\": \"\(database)\",\n \"database\": \"/elsewhere.sqlite\"}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let twice = try CLI.run(["payments", "list"], environment: ["METL_CONFIG": config])
        #expect(twice.status == 8)
        #expect(twice.stderr.contains("metl: \(config): line 2, column") && twice.stderr.contains("database appears twice"), "\(twice.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    /// The shipped example configuration is valid, and the units and crontab in `schedules/` are
    /// exactly what `metl schedule export` makes from it; a window moved in the configuration shows.
    @Test func theExampleConfigurationLoadsAndTheSchedulesCarryItsWindows() throws {
        let listed = try CLI.run(["profiles", "list", "--json"], environment: ["METL_CONFIG": "schedules/metl.json.example"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let profiles = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(profiles.count == 2)
        let windows = profiles.flatMap { ($0["windows"] as? [[String: Any]]) ?? [] }
        let times = Set(windows.compactMap { $0["runs_at"] as? String })
        #expect(windows.filter { $0["same_day"] as? Bool == true }.count == 3)
        #expect(Set(profiles.compactMap { $0["time_zone"] as? String }) == ["America/New_York"])
        let shown = try CLI.run(["profiles", "show", "primary"], environment: ["METL_CONFIG": "schedules/metl.json.example"])
        #expect(shown.stdout.contains("  positive_pay to sftp://"), "a space after the longest label: \(shown.stdout)")

        let checked = try CLI.run(["schedule", "check", "--systemd", "schedules", "--cron", "schedules/crontab"],
                                  environment: ["METL_CONFIG": "schedules/metl.json.example"])
        #expect(checked.status == 0, "\(checked.stdout)")
        #expect(checked.stdout.split(separator: "\n").count == 16 && !checked.stdout.contains("DIFFERS"), "\(checked.stdout)")
        let cron = try CLI.run(["schedule", "export", "--cron"], environment: ["METL_CONFIG": "schedules/metl.json.example"])
        let cronTimes = cron.stdout.split(separator: "\n").filter { $0.contains("cutoff --kind ach") }.map { line -> String in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return (fields[1].count == 1 ? "0" : "") + fields[1] + ":" + (fields[0].count == 1 ? "0" : "") + fields[0]
        }
        #expect(Set(cronTimes) == times)

        // The next-day window moved to 18:00: the installed timer and crontab no longer agree, and say where.
        let moved = FileManager.default.temporaryDirectory.appendingPathComponent("metl-moved-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: moved) }
        try String(contentsOfFile: "schedules/metl.json.example", encoding: .utf8)
            .replacingOccurrences(of: #""runs_at": "17:30""#, with: #""runs_at": "18:00""#).write(toFile: moved, atomically: true, encoding: .utf8)
        let differs = try CLI.run(["schedule", "check", "--systemd", "schedules", "--cron", "schedules/crontab"], environment: ["METL_CONFIG": moved])
        #expect(differs.status == 1)
        #expect(differs.stdout.contains("DIFFERS  schedules/metl-cutoff.timer\n         installed:  OnCalendar=Mon..Fri 17:30 America/New_York\n"
                                        + "         configured: OnCalendar=Mon..Fri 18:00 America/New_York"), "\(differs.stdout)")
        #expect(differs.stdout.contains("DIFFERS  schedules/crontab"))
        let scheduled = try CLI.run(["schedule", "show", "--json"], environment: ["METL_CONFIG": moved, "TZ": "UTC"])
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(scheduled.stdout.utf8)) as? [[String: Any]])
        let cutoff = try #require(jobs.first { $0["job"] as? String == "cutoff" })
        let cutoffTimes = try #require(cutoff["times"] as? [[String: Any]])
        #expect(cutoffTimes.map { $0["time"] as? String } == ["10:30", "14:45", "16:45", "18:00"])
        #expect(cutoffTimes.allSatisfy { $0["time_zone"] as? String == "America/New_York" && $0["machine_time"] is String })
        #expect(cutoff["next_run"] is String)
    }
}
