import Foundation
import Logging
import NACHA
import OpenPGP
import Payments
import Pipeline

/// One bank profile of the configuration file (`profiles.NAME`), checked whole when the file is
/// read: its ODFI identity, where each file kind goes and where the bank's files come from, the
/// SFTP login, file limits and names, and its day of cutoff windows. Secrets stay in files the
/// profile names (a key's passphrase, a password), never in the configuration itself.
public struct ProfileConfiguration: Sendable {
    public var name: String
    public var bank: BankProfile
    /// File kind → `file:///DIR` or `sftp://USER@HOST:PORT/DIR`; `ach` always, the others only on the default profile.
    public var destinations: [OutboundFileKind: String]
    public var inbound: String?
    public var identityFile: String?
    public var identityPassphraseFile: String?
    public var passwordFile: String?
    public var knownHosts: String?
    public var filenames: [OutboundFileKind: FilenameTemplate]
    public var limits: FileAssembler.Limits
    public var lineEnding: Writer.LineEnding
    public var schedule: CutoffSchedule
    /// Merchants (names or ids) this profile sends for; the default profile also takes all others.
    public var merchants: [String]
    public var openpgp: OpenPGPKeys?
    /// Which files and payments of this profile wait for named approvers (`approvals`).
    public var approvals: ApprovalPolicy.Rules
    /// The bank files this profile expects by a time of its day (`expect`).
    public var expected: [ExpectedBankFile] = []
    /// How long a file of this profile may wait for its acknowledgement before the watch raises it
    /// (`acknowledgement_hours`); nil: `alerts.thresholds`' hours.
    public var acknowledgementWait: TimeInterval?

    /// The bank's OpenPGP keys and ours, by full fingerprint in metl's GnuPG home, when the bank
    /// takes sealed files or signs what it sends.
    public struct OpenPGPKeys: Sendable {
        /// Seal what this profile sends to this key.
        public var encryptTo: Fingerprint?
        public var signWith: Fingerprint?
        public var armored: Bool
        public var suffix: String?
        /// Files from this profile's inbound must be signed by this key.
        public var inboundSigner: Fingerprint?
    }

    /// The configuration file's spelling of each kind that has a destination.
    public static let kindKeys: [(key: String, kind: OutboundFileKind)] = [("ach", .nacha), ("positive_pay", .positivePay), ("decisions", .decisions)]

    /// Reads `table` (at `profiles.NAME`), reporting each problem at its key. Nil when there was one.
    static func read(_ name: String, _ table: ConfigurationTable, delivery: Duration) -> ProfileConfiguration? {
        let before = table.problems.messages.count
        let odfi = table.table("odfi")
        func routing(_ key: String) -> String? {
            guard let value = odfi?.string(key) else { odfi.map { $0.fail(key, "missing") } ?? table.fail("odfi", "missing"); return nil }
            guard RoutingNumber.isValid(value) else { odfi?.fail(key, "\(value) is not a 9-digit routing number with a valid check digit"); return nil }
            return value
        }
        let odfiRouting = routing("routing")
        let immediateDestination = routing("immediate_destination")
        let immediateOrigin = odfi?.string("immediate_origin")
        let originName = odfi?.string("origin_name")
        let destinationName = odfi?.string("destination_name")
        if odfi != nil {
            if originName == nil { odfi?.fail("origin_name", "missing") }
            if destinationName == nil { odfi?.fail("destination_name", "missing") }
        }
        odfi?.finish()

        var identityFile: String?, identityPassphraseFile: String?, passwordFile: String?, knownHosts: String?
        if let sftp = table.table("sftp") {
            identityFile = sftp.string("identity_file")
            identityPassphraseFile = sftp.string("identity_passphrase_file")
            passwordFile = sftp.string("password_file")
            knownHosts = sftp.string("known_hosts")
            sftp.finish()
        }
        // The login as the destinations will use it, secrets stood in for: checked now, read at run time.
        let login = DestinationURL.SFTPSettings(identityFile: identityFile, password: passwordFile.map { _ in "" }, knownHosts: knownHosts)
        var destinations: [OutboundFileKind: String] = [:]
        if let table = table.table("destinations") {
            for (key, kind) in kindKeys {
                guard let url = table.string(key) else { continue }
                if let problem = Self.problem(url: url, login: login) { table.fail(key, problem) } else { destinations[kind] = url }
            }
            if table.string("ach") == nil { table.fail("ach", "missing") }
            table.finish()
        } else {
            table.fail("destinations", "missing (at least destinations.ach)")
        }
        let inbound = table.string("inbound")
        if let inbound, inbound.contains("://"), let problem = Self.problem(url: inbound, login: login) { table.fail("inbound", problem) }


        var filenames: [OutboundFileKind: FilenameTemplate] = [:]
        if let table = table.table("filenames") {
            for (key, kind) in kindKeys { if let template = table.string(key) { filenames[kind] = FilenameTemplate(template) } }
            table.finish()
        }

        var limits = FileAssembler.Limits()
        if let table = table.table("limits") {
            if let entries = table.integer("entries_per_file") {
                if entries > 0 { limits.maximumEntriesPerFile = Int(entries) } else { table.fail("entries_per_file", "must be positive") }
            }
            if let cents = table.integer("cents_per_file") {
                if cents > 0 { limits.maximumAmountPerFile = cents } else { table.fail("cents_per_file", "must be positive") }
            }
            if let files = table.integer("files_per_day") {
                if (1...Int64(FileAssembler.modifiers.count)).contains(files) {
                    limits.maximumFilesPerDay = Int(files)
                } else {
                    table.fail("files_per_day", "must be 1 to \(FileAssembler.modifiers.count) (file ID modifiers A-Z, 0-9)")
                }
            }
            table.finish()
        }

        var lineEnding = Writer.LineEnding.lf
        if let text = table.string("line_ending") {
            if let parsed = Writer.LineEnding(named: text) { lineEnding = parsed } else { table.fail("line_ending", "must be lf or crlf") }
        }

        var timeZone = TimeZone.current
        if let text = table.string("time_zone") {
            if let zone = TimeZone(identifier: text) { timeZone = zone } else { table.fail("time_zone", "unknown time zone \(text)") }
        }
        var holidays: Set<ACHDate> = []
        for text in table.strings("holidays") ?? [] {
            if let date = ACHDate(iso: text) { holidays.insert(date) } else { table.fail("holidays", "\(text) is not a date YYYY-MM-DD") }
        }
        let descriptiveDate = table.bool("same_day_descriptive_date") ?? false
        var windows: [CutoffWindow] = []
        for window in table.list("windows") {
            func time(_ key: String) -> ACHTime? {
                guard let text = window.string(key) else { window.fail(key, "missing"); return nil }
                guard let time = CutoffWindow.time(text) else { window.fail(key, "\(text) is not a time HH:MM"); return nil }
                return time
            }
            let name = window.string("name")
            if name == nil { window.fail("name", "missing") }
            let runsAt = time("runs_at"), deadline = time("bank_deadline")
            let sameDay = window.bool("same_day") ?? false
            let nextDay = window.bool("next_day") ?? true
            window.finish()
            if let name, let runsAt, let deadline {
                windows.append(CutoffWindow(name: name, runsAt: runsAt, bankDeadline: deadline, sameDay: sameDay, nextDay: nextDay))
            }
        }
        var schedule = CutoffSchedule.nextDayOnly
        do {
            schedule = try CutoffSchedule(windows: windows, timeZone: timeZone, calendar: BankCalendar(extraHolidays: holidays),
                                          sameDayDescriptiveDate: descriptiveDate, delivery: delivery)
        } catch {
            table.fail("windows", error.message)
        }
        let merchants = table.strings("merchants") ?? []
        var openpgp: OpenPGPKeys?
        if let keys = table.table("openpgp") {
            func fingerprint(_ key: String) -> Fingerprint? {
                guard let text = keys.string(key) else { return nil }
                do { return try Fingerprint(text) } catch { keys.fail(key, error.message); return nil }
            }
            let suffix = keys.string("suffix")
            if let suffix, !OpenPGPSealing.suffixes.contains(suffix) { keys.fail("suffix", "must be one of \(OpenPGPSealing.suffixes.joined(separator: ", "))") }
            openpgp = OpenPGPKeys(encryptTo: fingerprint("encrypt_to"), signWith: fingerprint("sign_with"), armored: keys.bool("armor") ?? false,
                                  suffix: suffix, inboundSigner: fingerprint("inbound_signer"))
            if openpgp?.signWith != nil, openpgp?.encryptTo == nil { keys.fail("sign_with", "needs encrypt_to") }
            keys.finish()
        }
        var approvals = ApprovalPolicy.Rules()
        if let rules = table.table("approvals") {
            func rule(_ key: String) -> ApprovalRule? {
                guard let rule = rules.table(key) else { return nil }
                defer { rule.finish() }
                guard let approvers = rule.integer("approvers") else { rule.fail("approvers", "missing"); return nil }
                guard (1...9).contains(approvers) else { rule.fail("approvers", "must be 1 to 9"); return nil }
                let over = rule.integer("over_cents") ?? 0
                guard over >= 0 else { rule.fail("over_cents", "must be 0 or more"); return nil }
                return ApprovalRule(approvers: Int(approvers), overCents: over)
            }
            approvals = ApprovalPolicy.Rules(files: rule("files"), payments: rule("payments"))
            rules.finish()
        }
        var acknowledgementWait: TimeInterval?
        if let hours = table.integer("acknowledgement_hours") {
            if (1...168).contains(hours) { acknowledgementWait = TimeInterval(hours) * 3_600 } else { table.fail("acknowledgement_hours", "must be 1 to 168") }
        }
        var expected: [ExpectedBankFile] = []
        for expectation in table.list("expect") {
            let kind = expectation.string("kind").flatMap(ExpectedBankFile.Kind.init(rawValue:))
            if kind == nil {
                expectation.fail("kind", "must be one of " + ExpectedBankFile.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let by = expectation.string("by").flatMap(CutoffWindow.time)
            if by == nil { expectation.fail("by", "must be a time HH:MM") }
            let days = expectation.string("days") ?? "every"
            if days != "every" && days != "banking" { expectation.fail("days", "must be every or banking") }
            if let kind, let by { expected.append(ExpectedBankFile(kind: kind, by: by, bankingDaysOnly: days == "banking")) }
            expectation.finish()
        }
        table.finish()

        guard table.problems.messages.count == before, let odfiRouting, let immediateDestination, let originName, let destinationName else { return nil }
        let bank: BankProfile
        do {
            bank = try BankProfile(odfiRouting: odfiRouting, immediateDestination: immediateDestination, immediateOrigin: immediateOrigin,
                                   originName: originName, destinationName: destinationName)
        } catch {
            table.fail("odfi", error.message)
            return nil
        }
        var profile = ProfileConfiguration(name: name, bank: bank, destinations: destinations, inbound: inbound, identityFile: identityFile,
                                           identityPassphraseFile: identityPassphraseFile, passwordFile: passwordFile, knownHosts: knownHosts,
                                           filenames: filenames, limits: limits, lineEnding: lineEnding, schedule: schedule, merchants: merchants,
                                           openpgp: openpgp, approvals: approvals, expected: expected)
        profile.acknowledgementWait = acknowledgementWait
        return profile
    }

    /// Why `url` cannot be a destination, or nil.
    static func problem(url: String, login: DestinationURL.SFTPSettings) -> String? {
        guard let scheme = URL(string: url)?.scheme?.lowercased() else { return "\(url) is not a URL (file:///DIR or sftp://USER@HOST:PORT/DIR)" }
        guard scheme == "file" || scheme == "sftp" else { return "unknown scheme \(scheme)" }
        do {
            _ = try DestinationURL.parse(url, sftp: login, logger: Logger(label: "metl.config"))
            return nil
        } catch {
            return error.message
        }
    }

    /// The SFTP login: the profile's files, read now; a passphrase or password never sits in the configuration.
    public func sftpSettings() throws(ConfigurationError) -> DestinationURL.SFTPSettings {
        func secret(_ path: String?) throws(ConfigurationError) -> String? {
            guard let path else { return nil }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(.unreadableFile, "profile \(name): cannot read \(path)")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        return DestinationURL.SFTPSettings(identityFile: identityFile, identityPassphrase: try secret(identityPassphraseFile),
                                           password: try secret(passwordFile), knownHosts: knownHosts)
    }
}
