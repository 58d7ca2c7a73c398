import Foundation
import Logging
import Payments
import Pipeline

/// `metl profiles check`: a bank profile tried for real before a cutoff needs it. Each destination
/// and the inbound source is opened (the host key verified against known_hosts, the login tried)
/// and listed (the directory is there), and the sealing keys are checked usable.
public enum ProfileCheck {
    public struct Outcome: Encodable, Sendable {
        public var check: String
        /// Where, as it may be shown: a password in a URL redacted.
        public var target: String
        public var ok: Bool
        /// Failed because the server could not be reached (down, refusing): not a setting to fix.
        public var unreachable: Bool = false
        public var detail: String
    }

    public static func run(_ profile: ProfileConfiguration, sealing: OpenPGPSealing?, logger: Logger) async throws(ConfigurationError) -> [Outcome] {
        var outcomes: [Outcome] = []
        let login = try profile.sftpSettings()
        var targets = ProfileConfiguration.kindKeys.compactMap { key, kind in profile.destinations[kind].map { ("\(key) destination", $0) } }
        if let inbound = profile.inbound { targets.append(("inbound", inbound)) }
        for (check, url) in targets {
            let shown = ProfileDocument.redacted(url)
            do {
                let source = try await InboundSources.open(url, sftp: login, logger: logger)
                do {
                    let names = try await source.names()
                    outcomes.append(Outcome(check: check, target: shown, ok: true, detail: "listed \(Words.count(names.count, "file"))"))
                } catch {
                    outcomes.append(Outcome(check: check, target: shown, ok: false, detail: "cannot list: \(error)"))
                }
                await source.close()
            } catch {
                outcomes.append(Outcome(check: check, target: shown, ok: false, unreachable: error.code == .unreachable, detail: error.message))
            }
        }
        if let sealing {
            do {
                let alerts = try await sealing.check(at: Date())
                outcomes.append(Outcome(check: "sealing keys", target: "GnuPG", ok: true, detail: alerts.isEmpty ? "usable" : alerts.joined(separator: "; ")))
            } catch {
                outcomes.append(Outcome(check: "sealing keys", target: "GnuPG", ok: false, detail: error.message))
            }
        }
        return outcomes
    }
}
