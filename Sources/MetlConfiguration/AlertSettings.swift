import Foundation
import Payments
import Pipeline
import Webhooks

/// The configuration's `alerts`: channels (their secrets in files, read when a channel is used) and
/// the routes that say which codes and severities go where.
public struct AlertSettings: Sendable, Hashable {
    /// One channel as configured: its type, address, and the files its secrets live in.
    public struct Channel: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case slack, pagerduty, webhook }
        public var name: String
        public var kind: Kind
        public var url: String?
        public var urlFile: String?
        public var routingKeyFile: String?
        public var secretFile: String?
    }

    public var channels: [Channel] = []
    public var routing = AlertRouting.none

    static func read(_ table: ConfigurationTable?) -> AlertSettings {
        var settings = AlertSettings()
        guard let table else { return settings }
        for (name, member) in table.tables("channels") {
            let type = member.string("type")
            let url = member.string("url"), urlFile = member.string("url_file")
            let routingKeyFile = member.string("routing_key_file"), secretFile = member.string("secret_file")
            switch type.flatMap(Channel.Kind.init(rawValue:)) {
            case .slack:
                if (url == nil) == (urlFile == nil) { member.fail("url_file", "a Slack channel names its webhook URL's file (url_file) or its url") }
            case .pagerduty:
                if routingKeyFile == nil { member.fail("routing_key_file", "missing: the file holding the PagerDuty routing key") }
            case .webhook:
                if url == nil { member.fail("url", "missing") }
                if secretFile == nil { member.fail("secret_file", "missing: the file holding the signing secret (whsec_…)") }
            case nil:
                member.fail("type", type == "email" ? "email channels are not in this build yet; use slack, pagerduty or webhook"
                                                    : "must be slack, pagerduty or webhook")
            }
            if let kind = type.flatMap(Channel.Kind.init(rawValue:)) {
                settings.channels.append(Channel(name: name, kind: kind, url: url, urlFile: urlFile, routingKeyFile: routingKeyFile,
                                                 secretFile: secretFile))
            }
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
        table.finish()
        return settings
    }

    /// The channels, their secrets read from their files (the first line of each).
    public func resolvedChannels() throws(ConfigurationError) -> [AlertChannel] {
        try channels.map { channel throws(ConfigurationError) in
            switch channel.kind {
            case .slack:
                if let url = channel.url { return AlertChannel(name: channel.name, kind: .slack(url: url)) }
                return AlertChannel(name: channel.name, kind: .slack(url: try Self.secret(channel.urlFile ?? "", of: channel.name)))
            case .pagerduty:
                return AlertChannel(name: channel.name, kind: .pagerDuty(routingKey: try Self.secret(channel.routingKeyFile ?? "", of: channel.name),
                                                                        url: channel.url ?? AlertChannel.pagerDutyEventsURL))
            case .webhook:
                return AlertChannel(name: channel.name, kind: .webhook(url: channel.url ?? "", secret: try Self.secret(channel.secretFile ?? "", of: channel.name)))
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
    /// Each profile's day and the bank files it expects by a time, for the watch.
    public var expectedBankFiles: [(profile: String, schedule: CutoffSchedule, files: [ExpectedBankFile])] {
        profiles.filter { !$0.expected.isEmpty }.map { ($0.name, $0.schedule, $0.expected) }
    }
}
