import ArgumentParser

extension CommandConfiguration {
    /// A metl command's configuration: its `--help` ends with the exit codes every command shares,
    /// after what its own discussion says they mean for it.
    static func metl(commandName: String? = nil, abstract: String, discussion: String = "",
                     subcommands: [any ParsableCommand.Type] = [], defaultSubcommand: (any ParsableCommand.Type)? = nil) -> CommandConfiguration {
        let codes = "Exit codes: \(ExitStatus.summary)"
        return CommandConfiguration(commandName: commandName, abstract: abstract, discussion: discussion.isEmpty ? codes : discussion + "\n\n" + codes,
                                    subcommands: subcommands, defaultSubcommand: defaultSubcommand)
    }
}
