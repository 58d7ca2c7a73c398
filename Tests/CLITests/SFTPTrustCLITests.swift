import Foundation
import Testing
import TestSupport

/// `metl sftp trust` against a real sshd whose host key is not the one recorded: a changed key is
/// what a machine in the middle shows too, so it is replaced only on purpose.
@Suite struct SFTPTrustCLITests {
    @Test func aChangedHostKeyIsReplacedOnlyWithReplaceAndTheExpectedFingerprint() throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let name = "[127.0.0.1]:\(server.port)"
        let real = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
        // The server's key as it was: another ed25519 key, beside an entry for another server.
        let old = server.directory.appendingPathComponent("old_host_key").path
        try ExternalCommand.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", old])
        let oldPublic = try String(contentsOfFile: old + ".pub", encoding: .utf8).split(separator: " ")
        let knownHosts = server.directory.appendingPathComponent("trusted_hosts").path
        let before = "bank.example ssh-ed25519 \(oldPublic[1])\n\(name) \(oldPublic[0]) \(oldPublic[1])\n"
        try before.write(toFile: knownHosts, atomically: true, encoding: .utf8)
        func trust(_ extra: String...) throws -> CLI.Result {
            try CLI.run(["sftp", "trust", "127.0.0.1:\(server.port)", "--known-hosts", knownHosts] + extra)
        }

        let refused = try trust()
        #expect(refused.status == 5)
        #expect(refused.stderr.contains("the host key of \(name) changed"), "\(refused.stderr)")
        let shown = refused.stdout.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("SHA256:") }.map(String.init)
        #expect(shown.count == 2 && shown[0] != shown[1], "both fingerprints, the server's and the recorded one: \(refused.stdout)")
        let fingerprint = shown[0]
        #expect(try trust("--replace").status == 5, "--replace alone is not enough")
        #expect(try trust("--replace", "--fingerprint", "SHA256:wrong").status == 5)
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == before, "nothing recorded while refused")

        let replaced = try trust("--replace", "--fingerprint", fingerprint)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let lines = try String(contentsOfFile: knownHosts, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == ["bank.example ssh-ed25519 \(oldPublic[1])", real.trimmingCharacters(in: .newlines)])
        #expect(try trust().stdout.contains("already trusted"))
    }

    @Test func aServerThatRefusesConnectionsExitsNineAndChangesNothing() throws {
        let knownHosts = FileManager.default.temporaryDirectory.appendingPathComponent("metl-kh-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: knownHosts) }
        let refused = try CLI.run(["sftp", "trust", "127.0.0.1:1", "--known-hosts", knownHosts])
        #expect(refused.status == 9, "\(refused.stderr)")
        #expect(refused.stderr.contains("cannot connect to 127.0.0.1:1"))
        #expect(!FileManager.default.fileExists(atPath: knownHosts))
    }
}
