import ArgumentParser
import Foundation
import MetlConfiguration
import Payments
import Pipeline

/// `metl schedule`: what runs when, from the configuration alone, and the units or crontab that run it.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "schedule", abstract: "What runs when (from the configuration), and the systemd units or crontab that run it.",
        discussion: """
            The ACH cutoff runs at each bank profile's windows; the other jobs at the configuration's \
            schedule (positive_pay, decisions, ingest, reconcile, idempotency_purge). Export writes the \
            units or crontab from it; check compares what is installed.
            """,
        subcommands: [Show.self, Export.self, Check.self], defaultSubcommand: Show.self)

    struct JobDocument: Encodable {
        var job: String, summary: String, command: String, days: String, times: [Time]
        var nextRun: String?
        struct Time: Encodable {
            var time: String, timeZone: String, machineTime: String
            enum CodingKeys: String, CodingKey { case time, timeZone = "time_zone", machineTime = "machine_time" }
        }
        enum CodingKeys: String, CodingKey { case job, summary, command, days, times, nextRun = "next_run" }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Each job, its times in the bank's time zone and this machine's, and its next run.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let settings = try store.settings()
            let now = settings.clock()
            let documents = settings.schedule.jobs.map { job in
                let next = job.nextRun(after: now)
                // Converted on the day of the next run, so a change of daylight saving time is counted.
                let times = job.runs(onDayOf: next ?? now).map {
                    JobDocument.Time(time: CutoffWindow.text($0.time), timeZone: $0.timeZone.identifier,
                                     machineTime: String(Output.localTime($0.date).suffix(5)))
                }
                return JobDocument(job: job.kind.rawValue, summary: job.summary,
                                   command: "metl " + job.arguments.joined(separator: " "),
                                   days: job.weekdaysOnly ? "Mon-Fri" : "every day", times: times, nextRun: next.map(Output.localTime))
            }
            if output.json { return try Output.json(documents) }
            Output.line("machine time zone \(TimeZone.current.identifier)")
            Output.table(["JOB", "DAYS", "TIMES", "ON THIS MACHINE", "NEXT RUN (THIS MACHINE)", "COMMAND"], documents.map { document in
                [document.job, document.days, Self.compact(document.times.map { "\($0.time) \($0.timeZone)" }),
                 Self.compact(document.times.map(\.machineTime)), document.nextRun ?? "-", document.command]
            })
        }

        /// A long run of times (ingest every 15 minutes) as its first, last and count.
        static func compact(_ texts: [String]) -> String {
            guard texts.count > 6, let first = texts.first, let last = texts.last else { return texts.joined(separator: ", ") }
            return "\(first) … \(last) (\(texts.count) runs)"
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Write the systemd units and timers into DIR, or print the crontab.",
            discussion: """
                Install: copy the units into /etc/systemd/system (or export there), then systemctl daemon-reload \
                and systemctl enable --now each .timer, metl-api.service and metl-webhooks.service. The crontab \
                goes to /etc/cron.d/metl with metl-cron beside metl. The README has the steps.
                """)
        @Option(help: "Write the units into this directory.") var systemd: String?
        @Flag(help: "Print the crontab.") var cron = false
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard (systemd != nil) != cron else { throw ValidationError("give --systemd DIR or --cron") }
        }

        func run() async throws {
            let schedule = try store.settings().schedule
            if cron {
                return FileHandle.standardOutput.write(Data(try Crontab.render(schedule).utf8))
            }
            guard let systemd else { return }
            try FileManager.default.createDirectory(atPath: systemd, withIntermediateDirectories: true)
            for unit in SystemdUnits.render(schedule) {
                let path = systemd + "/" + unit.name
                // Units hold no secret, and systemd reads them: the usual 0644.
                guard FileManager.default.createFile(atPath: path, contents: Data(unit.text.utf8), attributes: [.posixPermissions: 0o644]) else {
                    throw ConfigurationError(.unreadableFile, "cannot write \(path)")
                }
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
                Output.line("wrote \(path)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Compare the installed units or crontab with the configuration; exit 1 when they differ.")
        @Option(help: "The directory of installed units (default: /etc/systemd/system unless --cron is given).") var systemd: String?
        @Option(help: "The installed crontab file (for example /etc/cron.d/metl).") var cron: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let schedule = try store.settings().schedule
            var findings: [ScheduleCheck.Finding] = []
            if systemd != nil || cron == nil {
                findings += ScheduleCheck.systemd(SystemdUnits.render(schedule), directory: systemd ?? "/etc/systemd/system")
            }
            if let cron {
                findings += ScheduleCheck.cron(try Crontab.render(schedule), path: cron)
            }
            let differing = findings.filter { $0.status != .same }
            if output.json {
                try Output.json(findings)
            } else {
                for finding in findings {
                    Output.line("\(finding.status.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) \(finding.file)")
                    if let installed = finding.installedLine, let configured = finding.configuredLine {
                        Output.line("         installed:  \(installed)")
                        Output.line("         configured: \(configured)")
                    }
                }
                if !differing.isEmpty { Output.line("\(Words.count(differing.count, "file")) not as configured: metl schedule export writes them") }
            }
            if !differing.isEmpty { throw ExitStatus.findings }
        }
    }
}
