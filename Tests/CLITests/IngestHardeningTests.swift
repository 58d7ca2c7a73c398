import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `metl ingest` against hostile inbound directories: links, FIFOs, oversized files, file names
/// with control characters, leftovers of a killed run, and files quarantined before.
@Suite(.serialized) struct IngestHardeningTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-ingest-\(UUID().uuidString)")
    var inbound: String { directory.appendingPathComponent("inbound").path }
    var archive: String { directory.appendingPathComponent("archive").path }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("inbound").path, withIntermediateDirectories: true)
    }

    func metl(_ arguments: String...) throws -> CLI.Result {
        try CLI.run(arguments + ["--database", directory.appendingPathComponent("metl.sqlite").path, "--archive-dir", archive])
    }

    func outcomes(_ result: CLI.Result) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)")
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: inbound + "/" + name, atomically: false, encoding: .utf8)
    }

    /// Every file the archive holds (temporary ones excluded).
    func archived() -> [String] {
        let files = FileManager.default.enumerator(atPath: archive)?.compactMap { $0 as? String } ?? []
        return files.filter { !$0.hasPrefix("tmp") && $0.hasSuffix(".txt") }
    }

    @Test("links, FIFOs and devices are refused unread and left in place; regular files are archived 0400 in 0700 directories")
    func onlyRegularFiles() throws {
        try write("junk.txt", "not a bank file")
        #expect(symlink("/etc/passwd", inbound + "/passwd.txt") == 0)
        #expect(symlink(inbound + "/junk.txt", inbound + "/link-to-junk.txt") == 0)
        #expect(mkfifo(inbound + "/pipe.txt", 0o600) == 0)
        #expect(symlink("/dev/zero", inbound + "/zero.txt") == 0)
        let result = try metl("ingest", "--from", inbound, "--json")
        #expect(result.status == 1)
        let byName = Dictionary(try outcomes(result).map { ($0["name"] as? String ?? "", $0) }) { first, _ in first }
        #expect(byName["junk.txt"]?["status"] as? String == "quarantined")
        for name in ["passwd.txt", "link-to-junk.txt", "zero.txt"] {
            #expect(byName[name]?["status"] as? String == "refused", "\(name)")
            #expect((byName[name]?["reason"] as? String)?.contains("symbolic link") == true, "\(name)")
        }
        #expect((byName["pipe.txt"]?["reason"] as? String)?.contains("FIFO") == true)
        // Refused entries stay where they are; the recorded file moved aside.
        let left = try FileManager.default.contentsOfDirectory(atPath: inbound).sorted()
        #expect(left == ["archive", "link-to-junk.txt", "passwd.txt", "pipe.txt", "zero.txt"])
        let passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        let stored = archived()
        #expect(stored.count == 1)
        for path in stored {
            #expect(try String(contentsOfFile: archive + "/" + path, encoding: .utf8) != passwd)
            let attributes = try FileManager.default.attributesOfItem(atPath: archive + "/" + path)
            #expect((attributes[.posixPermissions] as? Int) == 0o400)
            let parent = try FileManager.default.attributesOfItem(atPath: (archive + "/" + path as NSString).deletingLastPathComponent)
            #expect((parent[.posixPermissions] as? Int) == 0o700)
        }
        // A link named on the command line is refused the same way.
        let named = try metl("ingest", inbound + "/passwd.txt", "--json")
        #expect(named.status == 1)
        #expect(try outcomes(named).first?["status"] as? String == "refused")
    }

    @Test("a file over the size limit is quarantined with the reason and not archived; again, it repeats the quarantine and exit 1")
    func sizeLimitAndRepeatedQuarantine() throws {
        try write("big.txt", String(repeating: "x", count: 5_000))
        let first = try metl("ingest", "--from", inbound, "--json", "--max-file-bytes", "1000")
        #expect(first.status == 1)
        let outcome = try #require(try outcomes(first).first)
        #expect(outcome["status"] as? String == "quarantined")
        #expect((outcome["reason"] as? String)?.contains("5000 bytes, over the limit of 1000 bytes") == true)
        #expect(archived().isEmpty)

        // The same bytes again: still quarantined, the first reason repeated, still exit 1.
        try write("big-again.txt", String(repeating: "x", count: 5_000))
        let again = try metl("ingest", "--from", inbound, "--json", "--max-file-bytes", "1000")
        #expect(again.status == 1)
        let repeated = try #require(try outcomes(again).first)
        #expect(repeated["status"] as? String == "quarantined")
        #expect((repeated["reason"] as? String)?.contains("same bytes as big.txt") == true)
        #expect((repeated["reason"] as? String)?.contains("over the limit of 1000 bytes") == true)
    }

    @Test("a quarantined file is dismissed once with who and why, and reconcile stops reporting it; a bad dismissal changes nothing")
    func dismissQuarantined() throws {
        try write("junk.txt", "not a bank file")
        let database = ["--database", directory.appendingPathComponent("metl.sqlite").path]
        func run(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments + database) }
        let id = try #require(try outcomes(try metl("ingest", "--from", inbound, "--json")).first?["id"] as? String)
        #expect(try run("reconcile").status == 1, "a quarantined file is a finding")
        // Retried by an operator: every check again, quarantined again, the attempt noted with who asked.
        let retried = try CLI.run(["ingest", "--retry", id, "--operator", "bob", "--archive-dir", archive, "--json"] + database)
        #expect(retried.status == 1 && retried.stdout.contains("\"status\" : \"quarantined\""), "\(retried.stdout)\(retried.stderr)")
        #expect(try run("ingest", "show", id).stdout.contains("retried by bob at "))

        #expect(try run("ingest", "dismiss", id, "--reason", "  ").status != 0)
        let itself = try run("ingest", "dismiss", id, "--reason", "replaced", "--superseded-by", id)
        #expect(itself.status != 0)
        #expect(itself.stderr.contains("cannot supersede itself"))
        #expect(try run("ingest", "dismiss", id, "--reason", "replaced", "--superseded-by", "inb_none").status == 4)
        #expect(try run("ingest", "list", "--status", "quarantined", "--json").stdout.contains(id), "still quarantined")

        let dismissed = try run("ingest", "dismiss", id, "--reason", "test junk, not from the bank", "--operator", "alice", "--json")
        #expect(dismissed.status == 0, "\(dismissed.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(dismissed.stdout.utf8)) as? [String: Any])
        #expect(document["status"] as? String == "dismissed")
        let dismissal = try #require(document["dismissal"] as? [String: Any])
        #expect(dismissal["by"] as? String == "alice")
        #expect(dismissal["reason"] as? String == "test junk, not from the bank")
        #expect(dismissal["superseded_by"] is NSNull)

        let again = try run("ingest", "dismiss", id, "--reason", "twice")
        #expect(again.status == 5)
        #expect(again.stderr.contains("is dismissed; only a quarantined file is dismissed"))
        #expect(try run("reconcile").status == 0, "nothing is left to look at")
        #expect(try run("ingest", "show", id).stdout.contains("dismissed by alice at "))
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(try run("ingest", "list", "--status", "dismissed", "--json").stdout.utf8))
                                  as? [String: Any])
        #expect((listed["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
    }

    @Test("temporary files of a run that died are removed when the next run starts; a live run's are kept")
    func staleTemporaryFiles() throws {
        // A process that has exited, spawned directly: Foundation's Process crashes intermittently on Linux.
        var dead: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&dead, "/bin/true", nil, nil, argv, nil) == 0)
        var status: Int32 = 0
        while waitpid(dead, &status, 0) < 0 && errno == EINTR {}
        let temporary = archive + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let stale = temporary + "/\(UUID().uuidString).tmp-\(dead)"
        let live = temporary + "/\(UUID().uuidString).tmp-\(getpid())"
        try String(repeating: "partial ", count: 1_000).write(toFile: stale, atomically: false, encoding: .utf8)
        try "in progress".write(toFile: live, atomically: false, encoding: .utf8)
        try write("junk.txt", "still not a bank file")
        _ = try metl("ingest", "--from", inbound)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    @Test("generated: file names with every control character reach the log and the terminal escaped, never raw")
    func controlCharactersInNames() throws {
        let controls = Array(0x01...0x1F).filter { $0 != 0x2F } + [0x7F]
        for byte in controls {
            try write("bad" + String(UnicodeScalar(UInt8(byte))) + "name.txt", "junk \(byte)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbound).count == controls.count)
        let result = try metl("ingest", "--from", inbound)
        #expect(result.status == 1)
        for (stream, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
            let raw = text.utf8.filter { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }
            #expect(raw.isEmpty, "\(stream) carries raw control bytes \(raw)")
        }
        // One outcome line per file on stdout, each naming its file in escaped form.
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == controls.count)
        #expect(result.stdout.contains("bad\\nname.txt") && result.stdout.contains("bad\\u{1B}name.txt"))
        #expect(result.stderr.contains("bad\\rname.txt"))
        // Each log line is a whole event: a forged line would not start like one.
        let logLines = result.stderr.split(separator: "\n")
        #expect(logLines.allSatisfy { $0.first?.isNumber == true }, "\(logLines.filter { $0.first?.isNumber != true })")
    }

    @Test("inspect escapes terminal control bytes found in a file")
    func inspectEscapes() throws {
        var record = Array("101 091000019 1210428822611230000A094101FEDERAL RESERVE BANK   ACME CORP".utf8)
        record += Array(repeating: 0x20, count: 94 - record.count)
        record[70] = 0x1B
        record[71] = 0x07
        let result = try CLI.run(["inspect", "-"], stdin: Data(record + [0x0A]))
        #expect(!result.stdout.utf8.contains(0x1B) && !result.stdout.utf8.contains(0x07))
        #expect(result.stdout.contains("\\u{1B}"))
    }
}
