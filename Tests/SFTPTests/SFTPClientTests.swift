import Foundation
import Testing
import TestSupport
@testable import SFTP

@Suite(.serialized) struct SFTPClientTests {
    let server: SSHServer

    init() throws {
        server = try SSHServer.start()
    }

    func configuration(knownHosts: String? = nil, key: String? = nil, timeout: Duration = .seconds(10)) -> SFTPConfiguration {
        SFTPConfiguration(host: "127.0.0.1", port: server.port, username: server.username,
                          authentication: .privateKey(path: key ?? server.clientKeyPath, passphrase: nil),
                          knownHostsPath: knownHosts ?? server.knownHostsPath, connectTimeout: .seconds(5), operationTimeout: timeout)
    }

    @Test func uploadStatRenameListDownloadRemove() async throws {
        let client = try await SFTPClient.connect(configuration())
        #expect(client.hostKey.type == "ssh-ed25519")
        #expect(client.hostKey.fingerprint.hasPrefix("SHA256:"))
        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let part = server.root + "/file.ach.part"
        let final = server.root + "/file.ach"
        try await client.upload(payload, to: part)
        #expect(try await client.stat(part)?.size == Int64(payload.count))
        #expect(try await client.stat(final) == nil)
        try await client.renameNoClobber(part, to: final)
        #expect(try await client.list(server.root) == ["file.ach"])
        #expect(try await client.download(final) == payload)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root) == ["file.ach"])

        // No clobber: renaming onto an existing file fails with fileExists and leaves both intact.
        try await client.upload([1, 2, 3], to: part)
        await #expect { try await client.renameNoClobber(part, to: final) } throws: { ($0 as? SFTPError)?.code == .fileExists }
        #expect(try await client.download(final) == payload)

        try await client.remove(part)
        try await client.makeDirectory(server.root + "/archive")
        #expect(try await client.stat(server.root + "/archive")?.isDirectory == true)
        await #expect { try await client.makeDirectory(server.root + "/archive") } throws: { $0 is SFTPError }
        await #expect { try await client.download(server.root + "/missing") } throws: { ($0 as? SFTPError)?.code == .noSuchFile }
        await client.close()
        await #expect { try await client.stat(final) } throws: { ($0 as? SFTPError)?.code == .closed }
    }

    @Test func unknownHostKeyIsRefusedWithItsFingerprint() async throws {
        let empty = server.directory.appendingPathComponent("empty_known_hosts").path
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        await #expect {
            try await SFTPClient.connect(configuration(knownHosts: empty))
        } throws: { error in
            guard let error = error as? SFTPError else { return false }
            return error.code == .hostKeyUnknown && error.fingerprint?.hasPrefix("SHA256:") == true
                && error.message.contains(error.fingerprint!)
        }
        // A missing known_hosts file is the same: nothing is trusted.
        await #expect { try await SFTPClient.connect(configuration(knownHosts: empty + ".absent")) } throws: {
            ($0 as? SFTPError)?.code == .hostKeyUnknown
        }
    }

    @Test func changedHostKeyIsRefused() async throws {
        let other = server.directory.appendingPathComponent("other_key").path
        try ExternalCommand.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other])
        let otherPublic = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ")
        let changed = server.directory.appendingPathComponent("changed_known_hosts").path
        try "[127.0.0.1]:\(server.port) \(otherPublic[0]) \(otherPublic[1])\n".write(toFile: changed, atomically: true, encoding: .utf8)
        await #expect { try await SFTPClient.connect(configuration(knownHosts: changed)) } throws: {
            ($0 as? SFTPError)?.code == .hostKeyChanged
        }
    }

    @Test func trustRecordsTheKeyThatConnectThenAccepts() async throws {
        let key = try await SFTPClient.fetchHostKey(configuration())
        let file = server.directory.appendingPathComponent("trusted_known_hosts").path
        try (key.knownHostsLine(for: configuration().knownHostsName) + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let client = try await SFTPClient.connect(configuration(knownHosts: file))
        #expect(client.hostKey == key)
        await client.close()
    }

    @Test func wrongKeyAndWrongPasswordAreAuthenticationErrors() async throws {
        let stranger = server.directory.appendingPathComponent("stranger").path
        try ExternalCommand.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        await #expect { try await SFTPClient.connect(configuration(key: stranger)) } throws: {
            ($0 as? SFTPError)?.code == .authentication
        }
        // A key file that is not there is named, with the reason.
        let missing = server.directory.appendingPathComponent("no_such_key").path
        await #expect { try await SFTPClient.connect(configuration(key: missing)) } throws: { error in
            guard let error = error as? SFTPError else { return false }
            return error.code == .authentication && error.description.contains("cannot read the private key file \(missing): No such file")
        }
        var password = configuration()
        password.authentication = .password("not-the-password")
        await #expect { try await SFTPClient.connect(password) } throws: { error in
            guard let error = error as? SFTPError else { return false }
            return error.code == .authentication && !error.description.contains("not-the-password")
        }
    }

    @Test func serverDownIsATransientConnectError() async throws {
        server.stop()
        // Usually "connection refused"; if another test's server grabs the freed port meanwhile, the
        // handshake fails instead. Either way the cutoff must see a transient error and retry.
        await #expect { try await SFTPClient.connect(configuration()) } throws: { error in
            guard let error = error as? SFTPError else { return false }
            return error.isTransient && [.connect, .connectionLost].contains(error.code)
        }
    }

    @Test func droppedConnectionIsTransient() async throws {
        let client = try await SFTPClient.connect(configuration(timeout: .seconds(10)))
        server.dropConnections()
        try await Task.sleep(for: .milliseconds(200))
        await #expect { try await client.upload([UInt8](repeating: 7, count: 100_000), to: server.root + "/x") } throws: {
            ($0 as? SFTPError)?.isTransient == true
        }
    }

    @Test func stalledServerTimesOut() async throws {
        // Three seconds: enough for the handshake on a loaded CI machine, short enough to wait for.
        let client = try await SFTPClient.connect(configuration(timeout: .seconds(3)))
        server.pause(true)
        defer { server.pause(false) }
        let started = ContinuousClock.now
        await #expect { try await client.stat(server.root) } throws: { ($0 as? SFTPError)?.code == .timeout }
        #expect(ContinuousClock.now - started < .seconds(15))
    }
}
