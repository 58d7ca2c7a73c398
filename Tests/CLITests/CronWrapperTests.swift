import Foundation
import Testing
import TestSupport

/// `schedules/metl-cron` reads its environment file as systemd does, never through a shell.
@Suite struct CronWrapperTests {
    @Test func theEnvironmentFileIsReadAsWrittenAndNothingInItRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-cron-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = "postgres://metl:secret@127.0.0.1/metl?sslmode=require&application_name=cron"
        try """
            # the job's settings
            METL_ORIGIN_NAME=YOUR COMPANY
            METL_DATABASE="\(url)"

            ; another comment
            METL_DESTINATION_NAME=$(touch \(directory)/ran)
            """.write(toFile: "\(directory)/metl.env", atomically: true, encoding: .utf8)
        // A stand-in for metl that shows the environment it was given.
        try "#!/bin/sh\nenv | grep '^METL_' | sort\n".write(toFile: "\(directory)/metl", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: "\(directory)/metl")
        // A process another test forks while this one still writes the stand-in holds it open for
        // writing, and exec refuses it (ETXTBSY, status 126) until that child execs: run it again.
        var result = try Spawn.run("/bin/sh", [CLI.root.appendingPathComponent("schedules/metl-cron").path, "cutoff"],
                                   environment: ["PATH": "/usr/bin:/bin", "METL_ENV_FILE": "\(directory)/metl.env",
                                                 "METL_BIN": "\(directory)/metl", "METL_LOG_DIR": "\(directory)/logs"],
                                   directory: directory, stdin: nil)
        for _ in 0..<5 where result.status == 126 {
            try? FileManager.default.removeItem(atPath: "\(directory)/logs")
            Thread.sleep(forTimeInterval: 0.2)
            result = try Spawn.run("/bin/sh", [CLI.root.appendingPathComponent("schedules/metl-cron").path, "cutoff"],
                                   environment: ["PATH": "/usr/bin:/bin", "METL_ENV_FILE": "\(directory)/metl.env",
                                                 "METL_BIN": "\(directory)/metl", "METL_LOG_DIR": "\(directory)/logs"],
                                   directory: directory, stdin: nil)
        }
        #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
        let log = try String(contentsOfFile: "\(directory)/logs/cutoff.log", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(log.contains("METL_ORIGIN_NAME=YOUR COMPANY"))
        #expect(log.contains("METL_DATABASE=\(url)"), "the whole URL, its & and all, quotes removed")
        #expect(log.contains("METL_DESTINATION_NAME=$(touch \(directory)/ran)"), "taken as written")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/ran"), "nothing in the file runs")
        #expect((try FileManager.default.attributesOfItem(atPath: "\(directory)/logs/cutoff.log")[.posixPermissions] as? Int) == 0o600)
    }
}
