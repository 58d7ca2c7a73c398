import Foundation
import MetlConfiguration
import NACHA
import Payments
import Pipeline
import Webhooks
import Testing

/// The configuration's alerts (channels, routes, secrets in files) and a profile's expected bank files.
@Suite struct AlertSettingsTests {
    @Test func channelsRoutesAndExpectationsAreReadAndEveryProblemIsNamed() throws {
        let fixture = try ConfigurationFixture()
        let keyFile = try fixture.folder("secrets") + "/pagerduty-key"
        try "R0UT1NGKEY\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        var profile = ConfigurationFixture.profile(routing: "121042882", destination: "091000019", ach: "file://" + (try fixture.folder("out")), merchants: [])
        profile["expect"] = [["kind": "acknowledgement", "by": "18:30"], ["kind": "returns", "by": "07:00", "days": "banking"]]
        try fixture.write(["database": fixture.database, "profiles": ["primary": profile], "alerts": [
            "channels": ["ops": ["type": "slack", "url": "https://hooks.slack.example/T/B/X"],
                         "pager": ["type": "pagerduty", "routing_key_file": keyFile]],
            "routes": [["codes": ["cutoff_failed", "bank_file_missing"], "min_severity": "critical", "channels": ["pager"]],
                       ["codes": ["*"], "channels": ["ops"]]],
        ]])
        let settings = try Settings.load(configPath: fixture.path, environment: [:])
        #expect(settings.alerts.routing.channels(for: .cutoffFailed, severity: .critical) == ["pager", "ops"])
        #expect(settings.alerts.routing.channels(for: .bankFileMissing, severity: .warning) == ["ops"], "below the pager's minimum")
        #expect(settings.alerts.routing.channels(for: .test, severity: .info).isEmpty, "warning is the default minimum")
        let channels = try settings.alerts.resolvedChannels()
        #expect(channels.map(\.type) == ["slack", "pagerduty"])
        #expect(channels.last?.kind == .pagerDuty(routingKey: "R0UT1NGKEY", url: "https://events.pagerduty.com/v2/enqueue"))
        #expect(settings.expectedBankFiles.first?.files == [ExpectedBankFile(kind: .acknowledgement, by: ACHTime(hour: 18, minute: 30), bankingDaysOnly: false),
                                                           ExpectedBankFile(kind: .returns, by: ACHTime(hour: 7, minute: 0), bankingDaysOnly: true)])

        profile["expect"] = [["kind": "statement", "by": "25:00"]]
        try fixture.write(["database": fixture.database, "profiles": ["primary": profile], "alerts": [
            "channels": ["mail": ["type": "email"], "hook": ["type": "webhook", "url": "https://ops.example.com/metl"]],
            "routes": [["codes": ["cutoff_failed", "no_such_code"], "min_severity": "loud", "channels": ["nowhere"]]],
        ]])
        let error = try #require(throws: ConfigurationError.self) { try Settings.load(configPath: fixture.path, environment: [:]) }
        for problem in ["alerts.channels.mail.type: email channels are not in this build yet", "alerts.channels.hook.secret_file: missing",
                        "no_such_code is not an alert code", "min_severity: must be info, warning or critical",
                        "nowhere is not one of alerts.channels", "expect[0].kind: must be one of", "expect[0].by: must be a time HH:MM"] {
            #expect(error.description.contains(problem), "\(problem) in \(error.description)")
        }
    }
}
