import ArgumentParser
import Foundation
import MetlConfiguration
import NACHA
import Payments

struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "profiles", abstract: "The bank profiles of the configuration file: list, show, check.",
        discussion: "Secrets are never shown: a passphrase or password file is named, never read out.",
        subcommands: [List.self, Show.self, Check.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Every bank profile, its ODFI, where its NACHA files go and its windows.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let settings = try store.settings()
            let documents = try settings.configuredProfiles().map { ProfileDocument($0, defaultProfile: settings.defaultProfile) }
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
            let settings = try store.settings()
            let document = ProfileDocument(try settings.profile(named: name), defaultProfile: settings.defaultProfile)
            if output.json { return try Output.json(document) }
            Output.line("profile \(document.name)\(document.isDefault ? " (default)" : "")")
            Output.line("  odfi           \(document.odfi.routing)  origin \(document.odfi.immediateOrigin) \(document.odfi.originName)  "
                        + "destination \(document.odfi.immediateDestination) \(document.odfi.destinationName)")
            for (kind, url) in document.destinations.sorted(by: { $0.key < $1.key }) {
                // At least one space after the longest label (`positive_pay to`).
                let label = "  \(kind) to"
                Output.line(label.padding(toLength: max(17, label.count + 1), withPad: " ", startingAt: 0) + url)
            }
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
            for (what, rule) in [("files", document.approvals.files), ("payments", document.approvals.payments)] {
                guard let rule else { continue }
                Output.line("  approvals      \(what) over \(Dollars.format(rule.overCents)): \(Words.count(rule.approvers, "approver"))")
            }
            if !document.merchants.isEmpty { Output.line("  merchants      \(document.merchants.joined(separator: ", "))") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Test a bank profile: connect to each destination and the inbound source, verify the host key, list the directory, check sealing keys.",
            discussion: "For a check: 0 every check passed, 9 only servers that could not be reached, 8 another failure (untrusted host key, bad credentials, unusable key).")
        @Argument(help: "Profile name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var sealing: SealingOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let settings = try store.settings()
            let profile = try settings.profile(named: name)
            let logger = Log.make("metl.profiles", json: output.json)
            let sealing = try settings.sealing(self.sealing.flags, profile: profile.openpgp, layers: .process, logger: logger)
            let outcomes = try await ProfileCheck.run(profile, sealing: sealing, logger: logger)
            if output.json {
                try Output.json(outcomes)
            } else {
                for outcome in outcomes { Output.line("\(outcome.ok ? "ok  " : "FAIL") \(outcome.check): \(outcome.target): \(outcome.detail)") }
            }
            let failed = outcomes.filter { !$0.ok }
            // Only servers that could not be reached: try again later; anything else is a setting to fix.
            if !failed.isEmpty { throw failed.allSatisfy(\.unreachable) ? ExitStatus.unreachable : ExitStatus.configuration }
        }
    }
}
