import Foundation
import MetlConfiguration
import Payments
import Testing

/// What runs when, from the configuration: the windows and the schedule's times, the next run
/// across a weekend and a change of daylight saving time, the units and crontab made from them.
@Suite struct ScheduleTests {
    static func settings(_ schedule: [String: Any] = [:], zones: [String] = ["America/New_York"],
                         approvals: [String: Any]? = nil) throws -> (ConfigurationFixture, Settings) {
        let fixture = try ConfigurationFixture()
        var profiles: [String: Any] = [:]
        for (index, zone) in zones.enumerated() {
            var profile = ConfigurationFixture.profile(routing: index == 0 ? "121042882" : "026009593", destination: index == 0 ? "091000019" : "011000015",
                                                       ach: "file://" + (try fixture.folder("out\(index)")), merchants: index == 0 ? [] : ["globex"])
            profile["time_zone"] = zone
            profile["windows"] = [["name": "sd1", "runs_at": "10:30", "bank_deadline": "11:00", "same_day": true],
                                  ["name": "nd", "runs_at": "17:30", "bank_deadline": "23:00", "same_day": false]]
            if index == 0, let approvals { profile["approvals"] = approvals }
            profiles[index == 0 ? "primary" : "backup"] = profile
        }
        try fixture.write(["database": fixture.database, "default_profile": "primary", "profiles": profiles, "schedule": schedule])
        return (fixture, try Settings.load(configPath: fixture.path, environment: [:]))
    }

    static func date(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }

    @Test func theCutoffRunsAtTheWindowsAndTheNextRunSkipsTheWeekendAndFollowsDaylightSavingTime() throws {
        let (_, settings) = try Self.settings(["decisions": ["11:45"], "ingest": ["every": "30m", "first_hour": 7, "last_hour": 8]])
        let cutoff = try #require(settings.schedule.job(.cutoff))
        // Friday 2026-12-04 18:00 New York (23:00 UTC): the next run is Monday 10:30 New York, 15:30 UTC.
        #expect(cutoff.nextRun(after: try Self.date("2026-12-04T23:00:00Z")) == (try Self.date("2026-12-07T15:30:00Z")))
        // Across the spring change (Sunday 2027-03-14): Friday's 10:30 is 15:30 UTC, Monday's 14:30 UTC.
        #expect(cutoff.nextRun(after: try Self.date("2027-03-12T23:00:00Z")) == (try Self.date("2027-03-15T14:30:00Z")))
        #expect(settings.schedule.job(.decisions)?.runs(onDayOf: try Self.date("2026-12-07T12:00:00Z")).map(\.date)
                == [try Self.date("2026-12-07T16:45:00Z")])
        #expect(settings.schedule.job(.ingest)?.runs(onDayOf: try Self.date("2026-12-07T12:00:00Z")).count == 4)
        // The purge runs every day, the weekend too.
        #expect(settings.schedule.job(.idempotencyPurge)?.nextRun(after: try Self.date("2026-12-05T09:00:00Z"))
                == (try Self.date("2026-12-06T08:00:00Z")))

        let units = Dictionary(uniqueKeysWithValues: SystemdUnits.render(settings.schedule).map { ($0.name, $0.text) })
        let timer = try #require(units["metl-cutoff.timer"])
        #expect(timer.contains("OnCalendar=Mon..Fri 10:30 America/New_York\nOnCalendar=Mon..Fri 17:30 America/New_York\n"))
        #expect(units["metl-ingest.timer"]?.contains("OnCalendar=Mon..Fri *-*-* 07..08:00/30:00 America/New_York") == true)
        for (name, text) in units where name.hasSuffix(".service") && name != "metl-failure@.service" {
            #expect(text.contains("UMask=0077") && text.contains("User=metl"), "\(name)")
        }
        #expect(units.filter { $0.key.hasSuffix(".service") && $0.value.contains("Type=oneshot") && $0.key != "metl-failure@.service" }
            .allSatisfy { $0.value.contains("OnFailure=metl-failure@%n.service") })
        let crontab = try Crontab.render(settings.schedule)
        #expect(crontab.contains("30 10 * * 1-5  metl  /usr/local/bin/metl-cron cutoff --kind ach\n"))
        #expect(crontab.contains("*/30 7-8 * * 1-5  metl  /usr/local/bin/metl-cron ingest\n"))
        #expect(crontab.contains("0 3 * * *  metl  /usr/local/bin/metl-cron idempotency purge --days 30\n"))
    }

    @Test func aProfileThatHoldsFilesRunsItsCutoffAgainEveryFewMinutesUntilTheBankDeadline() throws {
        let (_, settings) = try Self.settings(approvals: ["files": ["approvers": 2, "over_cents": 0]])
        #expect(settings.approvalPolicy.profiles["primary"]?.files == ApprovalRule(approvers: 2, overCents: 0))
        let runs = try #require(settings.schedule.job(.cutoff)).runs(onDayOf: try Self.date("2026-12-07T12:00:00Z")).map(\.date)
        // 10:30 to 10:55 in the same-day window, 17:30 to 22:55 in the next-day one: an approval inside a window is sent in it.
        #expect(runs.count == 6 + 66)
        let (first, last, sameDayLast, sameDayDeadline) = (try Self.date("2026-12-07T15:30:00Z"), try Self.date("2026-12-08T03:55:00Z"),
                                                           try Self.date("2026-12-07T15:55:00Z"), try Self.date("2026-12-07T16:00:00Z"))
        #expect(runs.first == first && runs.last == last)
        #expect(runs.contains(sameDayLast) && !runs.contains(sameDayDeadline))
        let (_, plain) = try Self.settings()
        #expect(try #require(plain.schedule.job(.cutoff)).runs(onDayOf: try Self.date("2026-12-07T12:00:00Z")).count == 2)
    }

    @Test func cronRefusesSeveralTimeZonesAndBadTimesAreNamedAtTheirKeys() throws {
        let (_, settings) = try Self.settings(zones: ["America/New_York", "America/Chicago"])
        #expect(throws: ConfigurationError.self) { try Crontab.render(settings.schedule) }
        let timer = SystemdUnits.render(settings.schedule).first { $0.name == "metl-cutoff.timer" }?.text ?? ""
        #expect(timer.contains("10:30 America/Chicago") && timer.contains("10:30 America/New_York"))

        let fixture = try ConfigurationFixture()
        try fixture.write(["schedule": ["reconcile": ["8am"], "ingest": ["every": "7m"], "idempotency_purge": ["keep_days": 3], "color": "red"]])
        #expect {
            try Settings.load(configPath: fixture.path, environment: [:])
        } throws: { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            return problems.contains { $0.hasSuffix("schedule.reconcile: 8am is not a time of day HH:MM") }
                && problems.contains { $0.hasSuffix("schedule.ingest.every: 7m must be whole minutes that divide an hour (5m, 15m, 30m, 60m)") }
                && problems.contains { $0.hasSuffix("schedule.idempotency_purge.keep_days: must be at least 30: keys are kept 30 days after their payment is final") }
                && problems.contains { $0.hasSuffix("schedule.color: unknown key") }
        }
    }
}
