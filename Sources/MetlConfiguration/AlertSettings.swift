import Foundation
import Payments
import Pipeline
import SMTP
import Webhooks

/// The configuration's `alerts`: channels (their secrets in files, read when a channel is used) and
/// the routes that say which codes and severities go where.
public struct AlertSettings: Sendable, Hashable {
    /// One channel as configured: its type with the keys of that type, secrets named by file.
    public struct Channel: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            case slack(url: String?, urlFile: String?)
            case pagerduty(routingKeyFile: String, url: String?)
            case webhook(url: String, secretFile: String)
            /// `username` defaults to `from`; no password file, no AUTH.
            case email(server: SMTPServer, from: String, to: [String], username: String?, passwordFile: String?, caFile: String?)
        }
        public var name: String
        public var kind: Kind
    }

    public var channels: [Channel] = []
    public var routing = AlertRouting.none
    /// The watch's thresholds (`alerts.thresholds`); each unset one keeps its default.
    public var thresholds = JobAlerts.Thresholds()

    static func read(_ table: ConfigurationTable?) -> AlertSettings {
        var settings = AlertSettings()
        guard let table else { return settings }
        for (name, member) in table.tables("channels") {
            if let kind = channel(member) { settings.channels.append(Channel(name: name, kind: kind)) }
            member.finish()
        }
        let names = Set(settings.channels.map(\.name))
        var routes: [AlertRouting.Route] = []
        for route in table.list("routes") {
            let codes = route.strings("codes") ?? ["*"]
            var parsed: Set<AlertCode>? = []
            for code in codes {
                if code == "*" { parsed = nil; break }
                if let known = AlertCode(rawValue: code) { parsed?.insert(known) } else { route.fail("codes", "\(code) is not an alert code") }
            }
            let severity = route.string("min_severity").map { text -> AlertSeverity in
                guard let severity = AlertSeverity(rawValue: text) else {
                    route.fail("min_severity", "must be info, warning or critical")
                    return .warning
                }
                return severity
            } ?? .warning
            let channels = route.strings("channels") ?? []
            if channels.isEmpty { route.fail("channels", "name at least one channel") }
            for channel in channels where !names.contains(channel) { route.fail("channels", "\(channel) is not one of alerts.channels") }
            routes.append(.init(codes: parsed, minimumSeverity: severity, channels: channels))
            route.finish()
        }
        settings.routing = AlertRouting(routes: routes)
        if let limits = table.table("thresholds") {
            func read(_ key: String, unit: TimeInterval, minimum: Int64 = 1, _ apply: (TimeInterval) -> Void) {
                guard let value = limits.integer(key) else { return }
                guard value >= minimum, value <= 10_000 else { return limits.fail(key, "must be a whole number from \(minimum) to 10000") }
                apply(TimeInterval(value) * unit)
            }
            read("exception_hours", unit: 3_600) { settings.thresholds.exceptionLead = $0 }
            read("approval_minutes", unit: 60) { settings.thresholds.approvalLead = $0 }
            read("acknowledgement_hours", unit: 3_600) { settings.thresholds.acknowledgementWait = $0 }
            read("lease_minutes", unit: 60) { settings.thresholds.leaseHeld = $0 }
            read("dead_letters", unit: 1, minimum: 0) { settings.thresholds.deadLetters = Int($0) }
            limits.finish()
        }
        table.finish()
        return settings
    }

    /// One channel's keys, read by its type (so a key of another type is reported unknown).
    private static func channel(_ member: ConfigurationTable) -> Channel.Kind? {
        let type = member.string("type")
        switch type {
        case "slack":
            let url = member.string("url"), urlFile = member.string("url_file")
            if (url == nil) == (urlFile == nil) { member.fail("url_file", "a Slack channel names its webhook URL's file (url_file) or its url") }
            return .slack(url: url, urlFile: urlFile)
        case "pagerduty":
            let url = member.string("url")
            guard let routingKeyFile = member.string("routing_key_file") else {
                member.fail("routing_key_file", "missing: the file holding the PagerDuty routing key")
                return nil
            }
            return .pagerduty(routingKeyFile: routingKeyFile, url: url)
        case "webhook":
            let url = member.string("url"), secretFile = member.string("secret_file")
            if url == nil { member.fail("url", "missing") }
            if secretFile == nil { member.fail("secret_file", "missing: the file holding the signing secret (whsec_…)") }
            guard let url, let secretFile else { return nil }
            return .webhook(url: url, secretFile: secretFile)
        case "email":
            var server: SMTPServer?
            do {
                server = try member.string("smtp").map(SMTPServer.init(address:))
                if server == nil { member.fail("smtp", "missing: the server, smtp://host:587 (STARTTLS) or smtps://host:465 (TLS)") }
            } catch {
                member.fail("smtp", error.message)
            }
            let from = member.string("from"), to = member.strings("to") ?? []
            if from == nil { member.fail("from", "missing: the sender's address") }
            if let from, !MailMessage.isAddress(from) { member.fail("from", "must be a bare address (name@domain)") }
            if to.isEmpty { member.fail("to", "name at least one recipient") }
            for address in to where !MailMessage.isAddress(address) { member.fail("to", "\(address) is not a bare address (name@domain)") }
            let username = member.string("username"), passwordFile = member.string("password_file"), caFile = member.string("ca_file")
            if username != nil, passwordFile == nil { member.fail("username", "a user name needs a password_file") }
            guard let server, let from, !to.isEmpty else { return nil }
            return .email(server: server, from: from, to: to, username: username, passwordFile: passwordFile, caFile: caFile)
        default:
            member.fail("type", "must be slack, pagerduty, email or webhook")
            return nil
        }
    }

    /// The channels, their secrets read from their files (the first line of each).
    public func resolvedChannels() throws(ConfigurationError) -> [AlertChannel] {
        try channels.map { channel throws(ConfigurationError) in
            switch channel.kind {
            case .slack(let url, let urlFile):
                if let url { return AlertChannel(name: channel.name, kind: .slack(url: url)) }
                return AlertChannel(name: channel.name, kind: .slack(url: try Self.secret(urlFile ?? "", of: channel.name)))
            case .pagerduty(let routingKeyFile, let url):
                return AlertChannel(name: channel.name, kind: .pagerDuty(routingKey: try Self.secret(routingKeyFile, of: channel.name),
                                                                        url: url ?? AlertChannel.pagerDutyEventsURL))
            case .webhook(let url, let secretFile):
                return AlertChannel(name: channel.name, kind: .webhook(url: url, secret: try Self.secret(secretFile, of: channel.name)))
            case .email(let server, let from, let to, let username, let passwordFile, let caFile):
                let credentials = try passwordFile.map { file throws(ConfigurationError) in
                    SMTPClient.Credentials(username: username ?? from, password: try Self.secret(file, of: channel.name))
                }
                return AlertChannel(name: channel.name, kind: .email(.init(server: server, from: from, to: to, credentials: credentials,
                                                                          trustRootsFile: caFile)))
            }
        }
    }

    static func secret(_ path: String, of channel: String) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path),
              let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first, !line.isEmpty else {
            throw ConfigurationError(.unreadableFile, "alert channel \(channel): cannot read \(path)")
        }
        return String(line).trimmingCharacters(in: .whitespaces)
    }
}

extension Settings {
    /// The watch's thresholds: `alerts.thresholds`, with each profile's own acknowledgement hours.
    public var alertThresholds: JobAlerts.Thresholds {
        var thresholds = alerts.thresholds
        for profile in profiles { thresholds.acknowledgementWaitByProfile[profile.name] = profile.acknowledgementWait }
        return thresholds
    }

    /// Each profile's day and the bank files it expects by a time, for the watch.
    public var expectedBankFiles: [(profile: String, schedule: CutoffSchedule, files: [ExpectedBankFile])] {
        profiles.filter { !$0.expected.isEmpty }.map { ($0.name, $0.schedule, $0.expected) }
    }
}
