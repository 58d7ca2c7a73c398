import Foundation
import Logging
import MetlConfiguration
import Payments
import Pipeline
import Testing

/// A configuration file in its own directory, removed afterwards.
final class ConfigurationFixture {
    let directory: URL
    var path: String { directory.appendingPathComponent("metl.json").path }
    var database: String { directory.appendingPathComponent("metl.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-configuration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    convenience init(_ object: [String: Any]) throws {
        try self.init()
        try write(object)
    }

    func write(_ object: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// A directory under the fixture's, made now.
    func folder(_ name: String) throws -> String {
        let folder = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static func profile(routing: String, destination: String, ach: String, merchants: [String] = []) -> [String: Any] {
        ["odfi": ["routing": routing, "immediate_destination": destination, "origin_name": "ORIGIN", "destination_name": "BANK"],
         "destinations": ["ach": ach], "merchants": merchants]
    }
}

/// The configuration file and the `METL_*` variables, resolved without the binary: every problem at
/// once, at its key, and the layers in their order.
@Suite struct SettingsTests {
    /// Thrown by `step`, or a failed expectation.
    static func refusal<T>(_ step: () throws -> T) -> ConfigurationError? {
        do {
            _ = try step()
            Issue.record("expected a ConfigurationError")
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("expected a ConfigurationError, not \(error)")
        }
        return nil
    }

    @Test func everyProblemInTheFileAndTheEnvironmentIsReportedAtOnceAtItsKey() throws {
        let fixture = try ConfigurationFixture([
            "default_profile": "primary",
            "max_payment_cents": true,
            "profiles": [
                "primary": [
                    "odfi": ["routing": "121042883", "immediate_destination": "091000019", "origin_name": "A", "destination_name": "B"],
                    "destinations": ["ach": "file:///tmp/out"],
                    "windows": [
                        ["name": "sd1", "runs_at": "10:30", "bank_deadline": "11:30", "same_day": true],
                        ["name": "sd2", "runs_at": "11:00", "bank_deadline": "12:00", "same_day": true],
                    ],
                    "cutof_windows": [],
                    "merchants": ["acme"],
                ],
                "backup": [
                    "odfi": ["routing": "026009593", "immediate_destination": "011000015", "origin_name": "C", "destination_name": "D"],
                    "destinations": ["ach": "ftp://bank.example/out"],
                    "time_zone": "Mars/Olympus",
                    "openpgp": ["encrypt_to": "ABCD1234", "suffix": ".zip"],
                    "line_ending": "cr",
                ],
                "third": [
                    "odfi": ["routing": "026009593", "immediate_destination": "011000015", "origin_name": "E", "destination_name": "F"],
                    "destinations": ["ach": "file:///tmp/third", "positive_pay": "file:///tmp/pp"],
                    "merchants": ["acme"],
                ],
            ],
        ])
        let error = try #require(Self.refusal {
            try Settings.load(configPath: fixture.path, environment: ["METL_MAX_CHECK_CENTS": "-5", "METL_CLOCK": "noon"])
        })
        #expect(error.code == .invalidValue)
        #expect(!error.isUsage)
        let path = fixture.path
        for expected in ["\(path): max_payment_cents: must be a whole number",
                         "\(path): profiles.primary.odfi.routing: 121042883 is not a 9-digit routing number with a valid check digit",
                         "\(path): profiles.primary.windows: windows sd1 and sd2 overlap",
                         "\(path): profiles.primary.cutof_windows: unknown key",
                         "\(path): profiles.backup.destinations.ach: unknown scheme ftp",
                         "\(path): profiles.backup.time_zone: unknown time zone Mars/Olympus",
                         "\(path): profiles.backup.line_ending: must be lf or crlf",
                         "\(path): profiles.backup.openpgp.encrypt_to: a fingerprint is the key's full 40 hex characters",
                         "\(path): profiles.backup.openpgp.suffix: must be one of .pgp, .gpg, .asc",
                         "\(path): profiles.third.destinations: only the default profile (primary) sends Positive Pay and decision files",
                         "METL_MAX_CHECK_CENTS (or $METL_MAX_CHECK_CENTS) must be a positive whole number, not -5",
                         "METL_CLOCK must be a local time YYYY-MM-DDTHH:MM"] {
            #expect(error.problems.contains { $0.hasPrefix(expected) }, "\(expected) not in \(error.problems)")
        }
    }

    @Test func oneMerchantOneProfileAndEachProfileItsOwnOriginAndDestination() throws {
        let fixture = try ConfigurationFixture([
            "default_profile": "primary",
            "profiles": [
                "primary": ConfigurationFixture.profile(routing: "121042882", destination: "091000019", ach: "file:///tmp/a", merchants: ["acme"]),
                "backup": ConfigurationFixture.profile(routing: "121042882", destination: "091000019", ach: "file:///tmp/b", merchants: ["acme"]),
            ],
        ])
        let error = try #require(Self.refusal { try Settings.load(configPath: fixture.path, environment: [:]) })
        #expect(error.problems.contains("\(fixture.path): profiles.primary.merchants: acme is already in profile backup"))
        #expect(error.problems.contains("\(fixture.path): profiles.primary.odfi: the same immediate origin and destination as profile backup"))

        let several = try ConfigurationFixture(["profiles": [
            "a": ConfigurationFixture.profile(routing: "121042882", destination: "091000019", ach: "file:///tmp/a"),
            "b": ConfigurationFixture.profile(routing: "026009593", destination: "011000015", ach: "file:///tmp/b"),
        ]])
        let missing = try #require(Self.refusal { try Settings.load(configPath: several.path, environment: [:]) })
        #expect(missing.problems == ["\(several.path): default_profile: missing: several profiles are configured"])
    }

    @Test func flagsOverVariablesOverTheFileOverDefaults() throws {
        let fixture = try ConfigurationFixture(["database": "from-file.sqlite", "cutoff_window": "20m", "max_payment_cents": 500])
        let file = try Settings.load(configPath: fixture.path, environment: [:])
        #expect(file.database == "from-file.sqlite" && file.cutoffWindow == .seconds(1_200) && file.maximumPaymentCents == 500)
        let variables = try Settings.load(configPath: nil, environment: ["METL_CONFIG": fixture.path, "METL_DATABASE": "from-variable.sqlite",
                                                                         "METL_CUTOFF_WINDOW": "5m", "METL_MAX_PAYMENT_CENTS": "700"])
        #expect(variables.database == "from-variable.sqlite" && variables.cutoffWindow == .seconds(300) && variables.maximumPaymentCents == 700)
        let flag = try Settings.load(configPath: fixture.path, database: "from-flag.sqlite", environment: ["METL_DATABASE": "from-variable.sqlite"])
        #expect(flag.database == "from-flag.sqlite")
        let defaults = try Settings.load(configPath: nil, environment: [:])
        #expect(defaults.database == "metl.sqlite" && defaults.cutoffWindow == .seconds(900) && defaults.profiles.isEmpty)
        // A file that is not there is a usage mistake, told apart from a file with problems in it.
        let unreadable = try #require(Self.refusal { try Settings.load(configPath: fixture.path + ".missing", environment: [:]) })
        #expect(unreadable.code == .unreadableFile && unreadable.isUsage)
    }

    @Test func aKeyWrittenTwiceOrBrokenJSONIsRefusedWhereItIs() throws {
        let fixture = try ConfigurationFixture()
        try """
            {"database": "a.sqlite",
             "profiles": {"bank": {"merchants": ["acme"], "merchants": ["globex"]}}}
            """.write(toFile: fixture.path, atomically: true, encoding: .utf8)
        let twice = try #require(Self.refusal { try Settings.load(configPath: fixture.path, environment: [:]) })
        #expect(twice.code == .invalidValue)
        #expect(twice.description.hasPrefix("\(fixture.path): line 2, column"), "\(twice)")
        #expect(twice.description.contains("profiles.bank.merchants appears twice"), "\(twice)")
        try #"{"database": "a.sqlite",}"#.write(toFile: fixture.path, atomically: true, encoding: .utf8)
        let broken = try #require(Self.refusal { try Settings.load(configPath: fixture.path, environment: [:]) })
        #expect(broken.description.hasPrefix("\(fixture.path): line 1, column"), "\(broken)")
    }

    @Test func aPostgreSQLDatabaseNeedsItsSharedDirectoriesNamed() throws {
        var settings = Settings()
        settings.database = "/srv/metl/metl.sqlite"
        #expect(try settings.archiveDirectory(nil, layers: Layers(environment: [:])) == "/srv/metl/archive")
        #expect(try settings.gnupgHomeDirectory(nil, layers: Layers(environment: [:])) == "/srv/metl/gnupg")
        settings.database = "postgres://metl@127.0.0.1:5432/metl"
        let error = try #require(Self.refusal { try settings.archiveDirectory(nil, layers: Layers(environment: [:])) })
        #expect(error.code == .missingValue && error.isUsage)
        #expect(error.description.contains("--archive-dir (or $METL_ARCHIVE_DIR)"))
        #expect(try settings.archiveDirectory(nil, layers: Layers(environment: ["METL_ARCHIVE_DIR": "/shared/archive"])) == "/shared/archive")
        #expect(try settings.archiveDirectory("/flag", layers: Layers(environment: ["METL_ARCHIVE_DIR": "/shared/archive"])) == "/flag")
    }

    @Test func aShownProfileNamesItsSecretFilesAndNeverReadsThem() throws {
        let fixture = try ConfigurationFixture([:])
        let password = fixture.directory.appendingPathComponent("password").path
        try "hunter2-not-shown".write(toFile: password, atomically: true, encoding: .utf8)
        let config = try ConfigurationFixture(["profiles": ["bank": [
            "odfi": ["routing": "121042882", "immediate_destination": "091000019", "origin_name": "A", "destination_name": "B"],
            "destinations": ["ach": "file:///tmp/out"],
            "inbound": "sftp://metl:secret@127.0.0.1:22/in",
            "sftp": ["password_file": password, "known_hosts": "/dev/null"],
        ]]])
        let settings = try Settings.load(configPath: config.path, environment: [:])
        let document = ProfileDocument(try settings.profile(named: "bank"), defaultProfile: settings.defaultProfile)
        let json = String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        #expect(document.sftp.password == "redacted (from \(password))")
        #expect(document.inbound == "sftp://metl:redacted@127.0.0.1:22/in")
        #expect(!json.contains("hunter2") && !json.contains("secret@"))
        // The login read for a run has the password itself.
        #expect(try settings.profile(named: "bank").sftpSettings().password == "hunter2-not-shown")
        let unknown = try #require(Self.refusal { try settings.profile(named: "nowhere") })
        #expect(unknown.code == .unknownProfile && unknown.description.contains("the profiles are bank"))
    }
}
