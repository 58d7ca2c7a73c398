import ArgumentParser
import Foundation

/// The `metl` executable: parses arguments, calls the libraries, prints. No business logic lives here.
@main
struct Metl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metl",
        abstract: "ACH origination pipeline: payments, NACHA files, bank files.",
        discussion: "Exit codes: \(ExitStatus.summary)",
        subcommands: [MerchantsCommand.self, PaymentsCommand.self, ChecksCommand.self, ServeCommand.self, WebhooksCommand.self, IdempotencyCommand.self, CutoffCommand.self, ProfilesCommand.self, IngestCommand.self, ReconcileCommand.self, FilesCommand.self, MigrateCommand.self, MigrateStoreCommand.self, SFTPCommand.self, OpenPGPKeysCommand.self,
                      InspectCommand.self, ValidateCommand.self])

    /// Runs the command and maps every outcome to the documented exit codes.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitStatus {
            Foundation.exit(exit.code)
        } catch {
            let status = ExitStatus.for(error)
            if status == .success {
                Self.exit(withError: error)
            }
            if status == .usage {
                // The parser's help text is multi-line; each of its lines is escaped like any other.
                for line in fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false) { Output.error(String(line)) }
            } else {
                let lines = ExitStatus.message(for: error)
                Output.error("metl: " + (lines.first ?? ""))
                for line in lines.dropFirst() { Output.error(line) }
            }
            Foundation.exit(status.code)
        }
    }
}
