import Foundation
import Testing
import TestSupport

/// What metl writes at rest holds full account numbers and secrets: the database, the archive and
/// rendered files are owner-only however permissive the umask of the process that made them.
@Suite struct PrivacyCLITests {
    /// `metl ARGUMENTS` under umask 000, as a careless unit or shell would start it.
    static func permissive(_ arguments: [String], environment: [String: String]) throws -> CLI.Result {
        let result = try Spawn.run("/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", CLI.binary.path] + arguments,
                                   environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                   directory: CLI.root.path, stdin: nil)
        return CLI.Result(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                          stderr: String(decoding: result.stderr, as: UTF8.self))
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func theDatabaseArchiveAndRenderedFilesAreOwnerOnlyUnderAnyUmask() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-privacy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = "\(directory)/metl.sqlite"
        let environment = ["METL_DATABASE": database, "METL_CLOCK": CLI.demoClock, "METL_ODFI_ROUTING": "121042882",
                           "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK",
                           "METL_DESTINATION": "file://\(directory)/outbox"]
        for arguments in [["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME"],
                          ["merchants", "fund", "acme", "10000000"],
                          ["payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme"],
                          ["cutoff", "--dry-run", "\(directory)/preview/day"], ["cutoff"]] {
            let result = try Self.permissive(arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        #expect(try Self.mode(database) == 0o600)
        for companion in [database + "-wal", database + "-shm"] where FileManager.default.fileExists(atPath: companion) {
            #expect(try Self.mode(companion) == 0o600, "\(companion)")
        }
        let archive = "\(directory)/archive"
        let archived = try #require(FileManager.default.enumerator(atPath: archive)?.allObjects as? [String])
        #expect(archived.contains { $0.hasSuffix(".ach") })
        for entry in archived {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: "\(archive)/\(entry)", isDirectory: &isDirectory)
            #expect(try Self.mode("\(archive)/\(entry)") == (isDirectory.boolValue ? 0o700 : 0o400), "\(entry)")
        }
        #expect(try Self.mode(archive) == 0o700)
        let previews = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/preview/day")
        #expect(!previews.isEmpty)
        for name in previews { #expect(try Self.mode("\(directory)/preview/day/\(name)") == 0o600) }
        #expect(try Self.mode("\(directory)/preview/day") == 0o700 && Self.mode("\(directory)/preview") == 0o700)

        // A database someone left readable by others is made owner-only when metl opens it.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: database)
        #expect(try Self.permissive(["merchants", "list"], environment: environment).status == 0)
        #expect(try Self.mode(database) == 0o600)
    }
}
