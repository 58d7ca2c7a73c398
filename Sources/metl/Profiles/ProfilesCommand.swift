import ArgumentParser
import Foundation
import Logging
import NACHA
import Payments
import Pipeline

struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "profiles", abstract: "The bank profiles of the configuration file: list, show, check.",
        discussion: "Secrets are never shown: a passphrase or password file is named, never read out.",
        subcommands: [List.self, Show.self, Check.self])

    /// A profile as `show --json` prints it.
    struct ProfileDocument: Encodable {
        var name: String
        var isDefault: Bool
        var odfi: ODFI
        var destinations: [String: String]
        var inbound: String?
        var sftp: SFTP
        var filenames: [String: String]
        var limits: Limits
        var lineEnding: String
        var timeZone: String
        var holidays: [String]
        var sameDayDescriptiveDate: Bool
        var windows: [Window]
        var merchants: [String]
        var openpgp: Keys?

        struct ODFI: Encodable {
            var routing: String, immediateOrigin: String, immediateDestination: String, originName: String, destinationName: String
            enum CodingKeys: String, CodingKey {
                case routing, immediateOrigin = "immediate_origin", immediateDestination = "immediate_destination",
                     originName = "origin_name", destinationName = "destination_name"
            }
        }
        struct SFTP: Encodable {
            var identityFile: String?, knownHosts: String?, identityPassphrase: String?, password: String?
            enum CodingKeys: String, CodingKey {
                case identityFile = "identity_file", knownHosts = "known_hosts", identityPassphrase = "identity_passphrase", password
            }
        }
        struct Keys: Encodable {
            var encryptTo: String?, signWith: String?
            var armor: Bool
            var suffix: String?, inboundSigner: String?
            enum CodingKeys: String, CodingKey {
                case encryptTo = "encrypt_to", signWith = "sign_with", armor, suffix, inboundSigner = "inbound_signer"
            }
        }
        struct Limits: Encodable {
            var entriesPerFile: Int, centsPerFile: Int64, filesPerDay: Int
            enum CodingKeys: String, CodingKey { case entriesPerFile = "entries_per_file", centsPerFile = "cents_per_file", filesPerDay = "files_per_day" }
        }
        struct Window: Encodable {
            var name: String, runsAt: String, bankDeadline: String, sameDay: Bool, nextDay: Bool
            enum CodingKeys: String, CodingKey { case name, runsAt = "runs_at", bankDeadline = "bank_deadline", sameDay = "same_day", nextDay = "next_day" }
        }
        enum CodingKeys: String, CodingKey {
            case name, isDefault = "default", odfi, destinations, inbound, sftp, filenames, limits, lineEnding = "line_ending",
                 timeZone = "time_zone", holidays, sameDayDescriptiveDate = "same_day_descriptive_date", windows, merchants, openpgp
        }

        init(_ profile: ProfileConfiguration, defaultProfile: String) {
            func key(_ kind: OutboundFileKind) -> String { ProfileConfiguration.kindKeys.first { $0.kind == kind }?.key ?? kind.rawValue }
            name = profile.name
            isDefault = profile.name == defaultProfile
            odfi = ODFI(routing: profile.bank.odfiRouting, immediateOrigin: profile.bank.immediateOrigin,
                        immediateDestination: profile.bank.immediateDestination, originName: profile.bank.originName,
                        destinationName: profile.bank.destinationName)
            destinations = Dictionary(uniqueKeysWithValues: profile.destinations.map { (key($0.key), Self.redacted($0.value)) })
            inbound = profile.inbound.map(Self.redacted)
            sftp = SFTP(identityFile: profile.identityFile, knownHosts: profile.knownHosts,
                        identityPassphrase: profile.identityPassphraseFile.map { "redacted (from \($0))" },
                        password: profile.passwordFile.map { "redacted (from \($0))" })
            filenames = Dictionary(uniqueKeysWithValues: profile.filenames.map { (key($0.key), $0.value.template) })
            limits = Limits(entriesPerFile: profile.limits.maximumEntriesPerFile, centsPerFile: profile.limits.maximumAmountPerFile,
                            filesPerDay: profile.limits.maximumFilesPerDay)
            lineEnding = profile.lineEnding.rawValue
            timeZone = profile.schedule.timeZone.identifier
            holidays = profile.schedule.calendar.extraHolidays.map(\.description).sorted()
            sameDayDescriptiveDate = profile.schedule.sameDayDescriptiveDate
            windows = profile.schedule.windows.map {
                Window(name: $0.name, runsAt: CutoffWindow.text($0.runsAt), bankDeadline: CutoffWindow.text($0.bankDeadline),
                       sameDay: $0.sameDay, nextDay: $0.nextDay)
            }
            merchants = profile.merchants
            openpgp = profile.openpgp.map {
                Keys(encryptTo: $0.encryptTo?.hex, signWith: $0.signWith?.hex, armor: $0.armored, suffix: $0.suffix,
                        inboundSigner: $0.inboundSigner?.hex)
            }
        }

        /// A URL without any password it carries.
        static func redacted(_ url: String) -> String {
            guard var components = URLComponents(string: url), components.password != nil else { return url }
            components.password = "redacted"
            return components.string ?? url
        }
    }

    /// The profiles of the configuration file, refused when it names none.
    static func profiles(_ store: StoreOptions) throws -> (settings: Settings, profiles: [ProfileConfiguration]) {
        let settings = try store.settings()
        guard !settings.profiles.isEmpty else {
            throw ConfigurationError(message: "the configuration names no bank profiles (profiles in the file --config or $METL_CONFIG "
                                     + "names); the cutoff uses the single profile of its flags and METL_* variables")
        }
        return (settings, settings.profiles)
    }

    static func profile(_ name: String, _ store: StoreOptions) throws -> (settings: Settings, profile: ProfileConfiguration) {
        let (settings, profiles) = try profiles(store)
        guard let profile = profiles.first(where: { $0.name == name }) else {
            throw ConfigurationError(message: "no bank profile \(name); the profiles are \(profiles.map(\.name).joined(separator: ", "))")
        }
        return (settings, profile)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Every bank profile, its ODFI, where its NACHA files go and its windows.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (settings, profiles) = try ProfilesCommand.profiles(store)
            let documents = profiles.map { ProfileDocument($0, defaultProfile: settings.defaultProfile) }
            if output.json { return try Output.json(documents) }
            Output.table(["PROFILE", "ODFI", "ORIGIN", "DESTINATION", "ACH TO", "WINDOWS", "TIME ZONE"], documents.map { profile in
                [profile.name + (profile.isDefault ? " (default)" : ""), profile.odfi.routing, profile.odfi.immediateOrigin,
                 profile.odfi.immediateDestination, profile.destinations["ach"] ?? "",
                 profile.windows.isEmpty ? "next-day" : profile.windows.map { "\($0.name) \($0.runsAt)" }.joined(separator: ", "), profile.timeZone]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "One bank profile as resolved from the configuration, secrets redacted.")
        @Argument(help: "Profile name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (settings, profile) = try ProfilesCommand.profile(name, store)
            let document = ProfileDocument(profile, defaultProfile: settings.defaultProfile)
            if output.json { return try Output.json(document) }
            Output.line("profile \(document.name)\(document.isDefault ? " (default)" : "")")
            Output.line("  odfi           \(document.odfi.routing)  origin \(document.odfi.immediateOrigin) \(document.odfi.originName)  "
                        + "destination \(document.odfi.immediateDestination) \(document.odfi.destinationName)")
            for (kind, url) in document.destinations.sorted(by: { $0.key < $1.key }) { Output.line("  \(kind) to".padding(toLength: 17, withPad: " ", startingAt: 0) + url) }
            if let inbound = document.inbound { Output.line("  inbound        \(inbound)") }
            Output.line("  sftp           identity \(document.sftp.identityFile ?? "-")  known_hosts \(document.sftp.knownHosts ?? "-")"
                        + (document.sftp.identityPassphrase.map { "  passphrase \($0)" } ?? "") + (document.sftp.password.map { "  password \($0)" } ?? ""))
            Output.line("  limits         \(document.limits.entriesPerFile) entries, \(Dollars.format(document.limits.centsPerFile)), "
                        + "\(document.limits.filesPerDay) files a day; \(document.lineEnding) line endings")
            Output.line("  day            \(document.timeZone); Fed holidays" + (document.holidays.isEmpty ? "" : " and \(document.holidays.joined(separator: ", "))"))
            for window in document.windows {
                Output.line("  window         \(window.name) runs \(window.runsAt), bank deadline \(window.bankDeadline): "
                            + [window.sameDay ? "same-day" : nil, window.nextDay ? "next-day" : nil].compactMap { $0 }.joined(separator: " and "))
            }
            if document.windows.isEmpty { Output.line("  window         none: next-day only, no Same Day ACH") }
            if let keys = document.openpgp {
                Output.line("  openpgp        encrypt to \(keys.encryptTo ?? "-"), sign with \(keys.signWith ?? "-"), "
                            + "inbound signer \(keys.inboundSigner ?? "-")")
            }
            if !document.merchants.isEmpty { Output.line("  merchants      \(document.merchants.joined(separator: ", "))") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Test a bank profile: connect to each destination and the inbound source, verify the host key, list the directory, check sealing keys.",
            discussion: "For a check: 0 every check passed, 8 one failed (configuration: unreachable, untrusted host key, bad credentials, unusable key).")
        @Argument(help: "Profile name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var sealing: SealingOptions
        @OptionGroup var output: OutputOptions

        struct Outcome: Encodable {
            var check: String, target: String, ok: Bool, detail: String
        }

        func run() async throws {
            let (settings, profile) = try ProfilesCommand.profile(name, store)
            let logger = Log.make("metl.profiles", json: output.json)
            var outcomes: [Outcome] = []
            let login = try profile.sftpSettings()
            var targets = ProfileConfiguration.kindKeys.compactMap { key, kind in profile.destinations[kind].map { ("\(key) destination", $0) } }
            if let inbound = profile.inbound { targets.append(("inbound", inbound)) }
            for (check, url) in targets {
                let shown = ProfileDocument.redacted(url)
                do {
                    // Opening verifies the host key against known_hosts and logs in; listing proves the directory is there.
                    let source = try await InboundSources.open(url, sftp: login, logger: logger)
                    do {
                        let names = try await source.names()
                        outcomes.append(Outcome(check: check, target: shown, ok: true, detail: "listed \(Words.count(names.count, "file"))"))
                    } catch {
                        outcomes.append(Outcome(check: check, target: shown, ok: false, detail: "cannot list: \(error)"))
                    }
                    await source.close()
                } catch {
                    outcomes.append(Outcome(check: check, target: shown, ok: false, detail: error.message))
                }
            }
            if let sealing = try sealing.sealing(database: settings.database, profile: profile.openpgp) {
                do {
                    let alerts = try await sealing.check(at: Date())
                    outcomes.append(Outcome(check: "sealing keys", target: "GnuPG", ok: true, detail: alerts.isEmpty ? "usable" : alerts.joined(separator: "; ")))
                } catch {
                    outcomes.append(Outcome(check: "sealing keys", target: "GnuPG", ok: false, detail: error.message))
                }
            }
            if output.json {
                try Output.json(outcomes)
            } else {
                for outcome in outcomes { Output.line("\(outcome.ok ? "ok  " : "FAIL") \(outcome.check): \(outcome.target): \(outcome.detail)") }
            }
            if outcomes.contains(where: { !$0.ok }) { throw ExitStatus.configuration }
        }
    }
}
