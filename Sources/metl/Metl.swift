import ArgumentParser
import Foundation

/// The `metl` executable: parses arguments, calls the libraries, prints. No business logic lives here.
@main
struct Metl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metl",
        abstract: "ACH origination pipeline: payments, NACHA files, bank files.",
        discussion: "Every command takes --log-format text|json (default $METL_LOG_FORMAT, else text): log lines on standard error as text, or one JSON object each.\n\nExit codes: \(ExitStatus.summary)",
        version: Build.versionLine,
        subcommands: [MerchantsCommand.self, PaymentsCommand.self, ChecksCommand.self, ServeCommand.self, WebhooksCommand.self, IdempotencyCommand.self, CutoffCommand.self, ProfilesCommand.self, IngestCommand.self, ReconcileCommand.self, ScheduleCommand.self, ExportCommand.self, OperatorsCommand.self, ApprovalsCommand.self, AuditCommand.self, AlertsCommand.self, WatchCommand.self, FilesCommand.self, MigrateCommand.self, MigrateStoreCommand.self, SFTPCommand.self, OpenPGPKeysCommand.self,
                      InspectCommand.self, ValidateCommand.self])

    /// Runs the command and maps every outcome to the documented exit codes.
    static func main() async {
        let command: any ParsableCommand
        do {
            let arguments = try Log.bootstrap(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
            command = try parseAsRoot(arguments)
        } catch let failure as Log.ValidationFailure {
            Output.error("metl: " + failure.message)
            Foundation.exit(ExitStatus.usage.code)
        } catch {
            // The arguments could not be parsed: the parser's message, then its usage line, so the
            // user sees how to call the command (help and --version exit 0 here too).
            let status = exitCode(for: error)
            if status == .success { Self.exit(withError: error) }
            let lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (index, line) in lines.enumerated() {
                Output.error(index == 0 && line.hasPrefix("Error: ") ? "metl: " + line.dropFirst("Error: ".count) : line)
            }
            Foundation.exit(ExitStatus.usage.code)
        }
        do {
            var command = command
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitStatus {
            Foundation.exit(exit.code)
        } catch where exitCode(for: error) == .success {
            // `--help`, `help COMMAND` and `--version` arrive as a command whose run throws the
            // parser's request: the parser prints the help on stdout and exits 0.
            Self.exit(withError: error)
        } catch {
            // The command ran and stopped: `metl: ` and what went wrong, one problem a line (every problem
            // of a configuration, each with its own prefix for syslog), never a usage line; a field's
            // detail under its problem is indented.
            let status = ExitStatus.for(error)
            for line in ExitStatus.message(for: error) { Output.error(line.hasPrefix(" ") ? line : "metl: " + line) }
            Foundation.exit(status.code)
        }
    }
}
