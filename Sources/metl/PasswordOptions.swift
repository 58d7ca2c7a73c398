import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A password from a file (for scripts and tests), else read from the terminal without echo.
struct PasswordOptions: ParsableArguments {
    @Option(help: "Read the password from this file (its first line) instead of the terminal.") var passwordFile: String?

    func password(prompt: String) throws -> String {
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("cannot read the password file \(passwordFile)")
            }
            return String(text.prefix { $0 != "\n" && $0 != "\r" })
        }
        guard isatty(STDIN_FILENO) == 1 else { throw ValidationError("no terminal to read the password from: pass --password-file") }
        FileHandle.standardError.write(Data(prompt.utf8))
        var settings = termios()
        tcgetattr(STDIN_FILENO, &settings)
        var silent = settings
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &settings)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
