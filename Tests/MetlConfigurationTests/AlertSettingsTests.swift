import Foundation
import MetlConfiguration
import NACHA
import Payments
import Pipeline
import SMTP
import Webhooks
import Testing

/// The configuration's alerts (channels, routes, secrets in files) and a profile's expected bank files.
@Suite struct AlertSettingsTests {
    @Test func channelsRoutesAndExpectationsAreReadAndEveryProblemIsNamed() throws {
        let fixture = try ConfigurationFixture()
        let keyFile = try fixture.folder("secrets") + "/pagerduty-key"
        try "R0UT1NGKEY\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let passwordFile = try fixture.folder("secrets") + "/smtp-password"
        try "s3cret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        var profile = ConfigurationFixture.profile(routing: "121042882", destination: "091000019", ach: "file://" + (try fixture.folder("out")), merchants: [])
        profile["expect"] = [["kind": "acknowledgement", "by": "18:30"], ["kind": "returns", "by": "07:00", "days": "banking"]]
        profile["acknowledgement_hours"] = 2
        try fixture.write(["database": fixture.database, "profiles": ["primary": profile], "alerts": [
            "channels": ["ops": ["type": "slack", "url": "https://hooks.slack.example/T/B/X"],
                         "pager": ["type": "pagerduty", "routing_key_file": keyFile],
                         "mail": ["type": "email", "smtp": "smtp://mail.example.com", "from": "metl@example.com",
                                  "to": ["payments-ops@example.com"], "password_file": passwordFile, "ca_file": "/etc/metl/mail-ca.pem"]],
            "routes": [["codes": ["cutoff_failed", "bank_file_missing"], "min_severity": "critical", "channels": ["pager"]],
                       ["codes": ["*"], "channels": ["ops"]]],
            "thresholds": ["exception_hours": 3, "acknowledgement_hours": 2, "lease_minutes": 45, "dead_letters": 10],
        ]])
        let settings = try Settings.load(configPath: fixture.path, environment: [:])
        #expect(settings.alerts.routing.channels(for: .cutoffFailed, severity: .critical) == ["pager", "ops"])
        let thresholds = settings.alerts.thresholds
        #expect(thresholds.exceptionLead == 3 * 3_600 && thresholds.acknowledgementWait == 2 * 3_600 && thresholds.leaseHeld == 45 * 60
                && thresholds.deadLetters == 10 && thresholds.approvalLead == 30 * 60, "unset: the default")
        #expect(settings.alertThresholds.acknowledgementWaitByProfile == ["primary": 2 * 3_600], "the profile's own hours")
        #expect(settings.alerts.routing.channels(for: .bankFileMissing, severity: .warning) == ["ops"], "below the pager's minimum")
        #expect(settings.alerts.routing.channels(for: .test, severity: .info).isEmpty, "warning is the default minimum")
        let channels = try settings.alerts.resolvedChannels()
        #expect(channels.map(\.type) == ["email", "slack", "pagerduty"])
        #expect(channels.last?.kind == .pagerDuty(routingKey: "R0UT1NGKEY", url: "https://events.pagerduty.com/v2/enqueue"))
        #expect(channels.first?.kind == .email(.init(server: SMTPServer(host: "mail.example.com", port: 587, security: .startTLS),
                                                     from: "metl@example.com", to: ["payments-ops@example.com"],
                                                     credentials: .init(username: "metl@example.com", password: "s3cret"),
                                                     trustRootsFile: "/etc/metl/mail-ca.pem")), "the user name defaults to the sender")
        #expect(settings.expectedBankFiles.first?.files == [ExpectedBankFile(kind: .acknowledgement, by: ACHTime(hour: 18, minute: 30), bankingDaysOnly: false),
                                                           ExpectedBankFile(kind: .returns, by: ACHTime(hour: 7, minute: 0), bankingDaysOnly: true)])

        profile["expect"] = [["kind": "statement", "by": "25:00"]]
        profile["acknowledgement_hours"] = 0
        try fixture.write(["database": fixture.database, "profiles": ["primary": profile], "alerts": [
            "channels": ["mail": ["type": "email"], "hook": ["type": "webhook", "url": "https://ops.example.com/metl"],
                         "post": ["type": "email", "smtp": "http://mail.example.com", "from": "Ops <ops@example.com>", "to": ["ops"],
                                  "username": "metl"],
                         "ops": ["type": "slack", "url": "https://hooks.slack.example/T/B/X", "from": "metl@example.com"],
                         "sms": ["type": "sms"]],
            "routes": [["codes": ["cutoff_failed", "no_such_code"], "min_severity": "loud", "channels": ["nowhere"]]],
            "thresholds": ["exception_hours": 0, "lease_minutes": "soon", "hours": 2],
        ]])
        let error = try #require(throws: ConfigurationError.self) { try Settings.load(configPath: fixture.path, environment: [:]) }
        for problem in ["alerts.channels.mail.smtp: missing", "alerts.channels.mail.from: missing", "alerts.channels.mail.to: name at least one",
                        "alerts.channels.post.smtp: an SMTP address starts smtp://", "alerts.channels.post.from: must be a bare address",
                        "alerts.channels.post.to: ops is not a bare address", "alerts.channels.post.username: a user name needs a password_file",
                        "alerts.channels.ops.from: unknown key", "alerts.channels.sms.type: must be slack, pagerduty, email or webhook",
                        "alerts.channels.hook.secret_file: missing", "alerts.thresholds.exception_hours: must be a whole number from 1",
                        "alerts.thresholds.lease_minutes: must be a whole number", "alerts.thresholds.hours: unknown key",
                        "no_such_code is not an alert code", "min_severity: must be info, warning or critical",
                        "nowhere is not one of alerts.channels", "expect[0].kind: must be one of", "expect[0].by: must be a time HH:MM",
                        "acknowledgement_hours: must be 1 to 168"] {
            #expect(error.description.contains(problem), "\(problem) in \(error.description)")
        }
    }
}
