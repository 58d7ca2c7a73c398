import Foundation
import Logging
import Subprocess
import SystemPackage

/// A GnuPG home that metl owns, and the `gpg` operations on it. Every call runs one `gpg --batch`
/// child process against `home` only; nothing reads or writes `~/.gnupg`.
public struct GnuPG: Sendable {
    public let home: String
    let executable: String
    let logger: Logger

    /// Opens `home`, creating it (mode 0700, as `gpg` requires) when it does not exist.
    public init(home: String, executable: String = "gpg", logger: Logger) throws(OpenPGPError) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: home, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw OpenPGPError(.gnupgFailed, "cannot create the GnuPG home \(home): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw OpenPGPError(.gnupgFailed, "the GnuPG home \(home) is not a directory")
        }
        self.home = home
        self.executable = executable
        self.logger = logger
    }

    /// What one `gpg` run did: its status lines, its standard output (when it was collected), and how it ended.
    struct Run {
        var status: [StatusLine]
        var output: [UInt8] = []
        var succeeded: Bool
        /// `gpg`'s own messages, for an error when the status lines say nothing more precise.
        var diagnostics: String
        /// Standard output came past the run's limit: `gpg` was killed there, and nothing past it was kept.
        var overflowed = false
    }

    /// The most a run collected in memory may write to standard output: keys, and files we seal for
    /// a bank, which are megabytes.
    static let outputLimit: Int64 = 1 << 30

    /// Runs `gpg` with `arguments` on this home, `input` on its standard input, and collects its
    /// standard output in memory.
    func run(_ arguments: [String], input: [UInt8] = [], passphraseFile: String? = nil) async throws(OpenPGPError) -> Run {
        var output: [UInt8] = []
        var run = try await run(arguments, input: .array(input), passphraseFile: passphraseFile, outputLimit: Self.outputLimit) {
            output.append(contentsOf: $0)
        }
        run.output = output
        return run
    }

    /// Runs `gpg` with `arguments` on this home, `input` on its standard input, handing its standard
    /// output to `sink` a piece at a time: memory stays bounded whatever it writes. Past `outputLimit`
    /// bytes `gpg` is killed and the run is `overflowed`; `sink` never sees a byte beyond the limit.
    /// When `sink` throws, `gpg` is killed and the run fails (`gnupgFailed`) with the sink's error.
    /// A passphrase is given as a file with loopback pinentry, so no agent ever prompts.
    func run<Input: InputProtocol>(_ arguments: [String], input: Input, passphraseFile: String?, outputLimit: Int64,
                                   sink: (UnsafeRawBufferPointer) throws -> Void) async throws(OpenPGPError) -> Run {
        var all = ["--homedir", home, "--batch", "--no-tty", "--status-fd", "2", "--no-auto-key-locate", "--no-auto-key-retrieve"]
        if let passphraseFile {
            all += ["--pinentry-mode", "loopback", "--passphrase-file", passphraseFile]
        }
        all += arguments
        // The arguments name keys by fingerprint and passphrases by file: nothing secret.
        logger.debug("running gpg", metadata: ["arguments": "\(arguments.joined(separator: " "))"])
        let result: ExecutionResult<Bool, SequenceOutput, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .name(executable), arguments: Arguments(all), environment: .inherit.updating(["LC_ALL": "C", "GNUPGHOME": home]),
                input: input, output: .sequence, error: .string(limit: 4 << 20)) { execution in
                    var size: Int64 = 0
                    for try await piece in execution.standardOutput {
                        size += Int64(piece.count)
                        guard size <= outputLimit else {
                            try? execution.send(signal: .kill)
                            return true
                        }
                        do {
                            try piece.withUnsafeBytes { try sink($0) }
                        } catch {
                            try? execution.send(signal: .kill)
                            throw SinkFailure(underlying: error)
                        }
                    }
                    return false
                }
        } catch let failure as SinkFailure {
            throw OpenPGPError(.gnupgFailed, "cannot keep gpg's output: \(failure.underlying)")
        } catch {
            throw OpenPGPError(.gnupgFailed, "cannot run \(executable): \(error)")
        }
        let diagnostics = result.standardError
        return Run(status: StatusLine.lines(in: diagnostics), succeeded: result.terminationStatus.isSuccess && !result.closureResult,
                   diagnostics: diagnostics.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix(StatusLine.prefix) }
                       .suffix(3).joined(separator: "; "),
                   overflowed: result.closureResult)
    }

    /// The error a run's sink threw, told apart from `gpg` failing to run.
    private struct SinkFailure: Error {
        var underlying: any Error
    }

    /// Stops the agent this home started, if any (tests, and a home about to be removed).
    public func stopAgent() async {
        _ = try? await Subprocess.run(.name("gpgconf"), arguments: ["--homedir", home, "--kill", "gpg-agent"],
                                      environment: .inherit.updating(["GNUPGHOME": home]), output: .discarded, error: .discarded)
    }
}
