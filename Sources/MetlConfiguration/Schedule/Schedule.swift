import Foundation
import NACHA
import Pipeline

/// What runs when, from the configuration alone (`schedule` and each profile's windows): the ACH
/// cutoff at every window's run time in its profile's zone, the Positive Pay issue file, decision
/// files, ingest, reconcile and the idempotency purge, and how the machine runs them (service user,
/// `metl`'s path, the environment file). The systemd units and the crontab are made from it
/// (`SystemdUnits`, `Crontab`), so the windows are written once.
public struct Schedule: Sendable, Hashable {
    public var jobs: [ScheduledJob]
    /// The account the jobs run as.
    public var user: String
    /// The installed `metl` executable.
    public var executable: String
    /// `METL_*` settings the jobs read (systemd `EnvironmentFile=` syntax; `metl-cron` reads it the same way).
    public var environmentFile: String
    /// Where the wrapper for cron is installed.
    public var cronWrapper: String

    public func job(_ kind: ScheduledJob.Kind) -> ScheduledJob? { jobs.first { $0.kind == kind } }

    /// The first scheduled cutoff after `date` that sends `kind`: the run that resumes one that
    /// missed its window.
    public func nextCutoff(sending kind: CutoffKind, after date: Date) -> Date? {
        let scheduled: ScheduledJob.Kind = switch kind {
        case .ach: .cutoff
        case .positivePay: .positivePay
        case .decisions: .decisions
        }
        return job(scheduled)?.nextRun(after: date)
    }

    /// How often the cutoff runs again inside a window of a profile that holds files for approval.
    static let approvalRerunMinutes = 5

    /// The ACH cutoff's times in `window`: its run time; and for a profile that holds files for
    /// approval, again every few minutes until the bank deadline, so a file approved inside its
    /// window goes out in it without anyone running the cutoff by hand.
    static func cutoffTimes(in window: CutoffWindow, holdsFiles: Bool) -> [ACHTime] {
        guard holdsFiles else { return [window.runsAt] }
        return stride(from: window.runsAt.minutes, to: window.bankDeadline.minutes, by: approvalRerunMinutes).map {
            ACHTime(hour: $0 / 60, minute: $0 % 60)
        }
    }

    /// `schedule` of the configuration file over these defaults, with the ACH times from `profiles`.
    static func read(_ table: ConfigurationTable?, profiles: [ProfileConfiguration], defaultProfile: String) -> Schedule {
        let bankZone = profiles.first { $0.name == defaultProfile }?.schedule.timeZone ?? profiles.first?.schedule.timeZone ?? TimeZone.current
        var zone = bankZone
        if let text = table?.string("time_zone") {
            if let named = TimeZone(identifier: text) { zone = named } else { table?.fail("time_zone", "unknown time zone \(text)") }
        }
        func times(_ key: String, _ defaults: [String]) -> [ScheduledJob.ZonedTime] {
            let texts = table?.strings(key) ?? defaults
            var parsed: [ScheduledJob.ZonedTime] = []
            for text in texts {
                guard let time = CutoffWindow.time(text) else { table?.fail(key, "\(text) is not a time of day HH:MM"); continue }
                parsed.append(.init(time: time, timeZone: zone))
            }
            return parsed
        }
        var ach = profiles.flatMap { profile in
            profile.schedule.windows.flatMap { window in
                Self.cutoffTimes(in: window, holdsFiles: profile.approvals.files != nil).map {
                    ScheduledJob.ZonedTime(time: $0, timeZone: profile.schedule.timeZone)
                }
            }
        }
        if let listed = table?.strings("ach") {
            if ach.isEmpty {
                ach = listed.compactMap { text in
                    guard let time = CutoffWindow.time(text) else { table?.fail("ach", "\(text) is not a time of day HH:MM"); return nil }
                    return .init(time: time, timeZone: zone)
                }
            } else {
                table?.fail("ach", "the ACH cutoff runs at the profiles' windows; set the times there")
            }
        }
        if ach.isEmpty { ach = [.init(time: ACHTime(hour: 17, minute: 30), timeZone: zone)] }
        var every = 15, firstHour = 6, lastHour = 22
        if let ingest = table?.table("ingest") {
            if let text = ingest.string("every") {
                let minutes = Duration(parsing: text).map { Int($0.components.seconds / 60) } ?? 0
                if minutes > 0, 60 % minutes == 0, Duration(parsing: text) == .seconds(minutes * 60) { every = minutes }
                else { ingest.fail("every", "\(text) must be whole minutes that divide an hour (5m, 15m, 30m, 60m)") }
            }
            if let first = ingest.integer("first_hour") { firstHour = Int(clamping: first) }
            if let last = ingest.integer("last_hour") { lastHour = Int(clamping: last) }
            if !(0...23).contains(firstHour) || !(firstHour...23).contains(lastHour) {
                ingest.fail("first_hour", "first_hour and last_hour are hours 0 to 23, first_hour not after last_hour")
                (firstHour, lastHour) = (6, 22)
            }
            ingest.finish()
        }
        var purgeAt = [ScheduledJob.ZonedTime(time: ACHTime(hour: 3, minute: 0), timeZone: zone)]
        var keepDays: Int64 = 30
        if let purge = table?.table("idempotency_purge") {
            if let text = purge.string("at") {
                if let time = CutoffWindow.time(text) { purgeAt = [.init(time: time, timeZone: zone)] }
                else { purge.fail("at", "\(text) is not a time of day HH:MM") }
            }
            if let days = purge.integer("keep_days") {
                if days >= 30 { keepDays = days } else { purge.fail("keep_days", "must be at least 30: keys are kept 30 days after their payment is final") }
            }
            purge.finish()
        }
        let schedule = Schedule(
            jobs: [
                ScheduledJob(kind: .cutoff, times: .at(ach.sortedUnique), weekdaysOnly: true, arguments: ["cutoff", "--kind", "ach", "--json"],
                             summary: "ACH cutoff: render NACHA files and deliver them to the bank, in each window of the bank profiles"),
                ScheduledJob(kind: .positivePay, times: .at(times("positive_pay", ["16:00"]).sortedUnique), weekdaysOnly: true,
                             arguments: ["cutoff", "--kind", "positive-pay", "--json"],
                             summary: "Positive Pay cutoff: render check issue files (issues and voids) and deliver them before the bank's issue deadline"),
                ScheduledJob(kind: .decisions, times: .at(times("decisions", ["11:30", "14:30"]).sortedUnique), weekdaysOnly: true,
                             arguments: ["cutoff", "--kind", "decisions", "--json"],
                             summary: "decisions cutoff: pay or return decisions on Positive Pay exceptions, ahead of the bank's decision deadlines"),
                ScheduledJob(kind: .ingest, times: .every(minutes: every, firstHour: firstHour, lastHour: lastHour, timeZone: zone),
                             weekdaysOnly: true, arguments: ["ingest", "--json"],
                             summary: "ingest: apply the bank's acknowledgements, settlement reports, returns, NOCs and Positive Pay files"),
                ScheduledJob(kind: .reconcile, times: .at(times("reconcile", ["08:00"]).sortedUnique), weekdaysOnly: true,
                             arguments: ["reconcile", "--json"],
                             summary: "reconcile: files sent against acknowledged, settled and returned; stuck payments; open exceptions"),
                ScheduledJob(kind: .idempotencyPurge, times: .at(purgeAt), weekdaysOnly: false,
                             arguments: ["idempotency", "purge", "--days", String(keepDays), "--json"],
                             summary: "idempotency purge: forget the keys of payments final for \(keepDays) days"),
            ],
            user: table?.string("user") ?? "metl", executable: table?.string("metl") ?? "/usr/local/bin/metl",
            environmentFile: table?.string("environment_file") ?? "/etc/metl/metl.env",
            cronWrapper: table?.string("cron_wrapper") ?? "/usr/local/bin/metl-cron")
        table?.finish()
        return schedule
    }
}

extension [ScheduledJob.ZonedTime] {
    var sortedUnique: [ScheduledJob.ZonedTime] { Array(Set(self)).sorted() }
}
