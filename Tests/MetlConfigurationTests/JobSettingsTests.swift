import Foundation
import Logging
import MetlConfiguration
import NACHA
import Payments
import Pipeline
import Testing
import Webhooks

/// The jobs' settings (cutoff, ingest, serve, webhooks) resolved from flags, variables and bank
/// profiles without the binary or a server: which profile sends what, and every problem at once.
@Suite struct JobSettingsTests {
    let logger = Logger(label: "metl.test.configuration")

    /// Two banks on local directories: `primary` the default, `backup` for globex.
    func twoBanks() throws -> (ConfigurationFixture, Settings) {
        let fixture = try ConfigurationFixture()
        try fixture.write([
            "database": fixture.database,
            "default_profile": "primary",
            "profiles": [
                "primary": ConfigurationFixture.profile(routing: "121042882", destination: "091000019", ach: "file://" + (try fixture.folder("primary"))),
                "backup": ConfigurationFixture.profile(routing: "026009593", destination: "011000015", ach: "file://" + (try fixture.folder("backup")),
                                                       merchants: ["globex"])
                    .merging(["inbound": try fixture.folder("backup-in"),
                              "windows": [["name": "sd1", "runs_at": "10:30", "bank_deadline": "11:30", "same_day": true]]]) { $1 },
            ],
        ])
        return (fixture, try Settings.load(configPath: fixture.path, environment: [:]))
    }

    @Test func withoutAProfileEveryMissingSettingIsReportedAtOnce() throws {
        var flags = CutoffFlags()
        flags.window = "10m"
        let error = try #require(SettingsTests.refusal {
            try Settings().cutoffs(flags, sending: true, layers: Layers(environment: ["METL_ORIGIN_NAME": "ACME"]), logger: logger)
        })
        #expect(error.code == .missingValue)
        #expect(error.problems.sorted() == ["--destination (or $METL_DESTINATION) is required", "--destination-name (or $METL_DESTINATION_NAME) is required",
                                           "--immediate-destination (or $METL_IMMEDIATE_DESTINATION) is required",
                                           "--odfi-routing (or $METL_ODFI_ROUTING) is required"])
        // A dry run needs no destination; the flags and variables make the single profile.
        let layers = Layers(environment: ["METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK", "METL_ODFI_ROUTING": "121042882",
                                          "METL_IMMEDIATE_DESTINATION": "091000019", "METL_LINE_ENDING": "CRLF"])
        let cutoffs = try Settings().cutoffs(flags, sending: false, layers: layers, logger: logger)
        #expect(cutoffs.count == 1 && cutoffs[0].profile == nil && cutoffs[0].window == .seconds(600))
        #expect(cutoffs[0].kinds.map { $0.renderer.kind } == [.nacha, .positivePay, .decisions])
    }

    @Test func badValuesAreReportedTogether() throws {
        var flags = CutoffFlags()
        flags.maxEntries = 0
        flags.lineEnding = "cr"
        flags.destination = "ftp://bank.example/out"
        flags.sealing.signWith = "ABCD"
        let layers = Layers(environment: ["METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK", "METL_ODFI_ROUTING": "121042883",
                                          "METL_IMMEDIATE_DESTINATION": "091000019", "METL_MAX_FILE_CENTS": "lots"])
        let error = try #require(SettingsTests.refusal { try Settings().cutoffs(flags, sending: true, layers: layers, logger: logger) })
        #expect(error.code == .invalidValue, "\(error.problems)")
        for expected in ["--max-entries (or $METL_MAX_FILE_ENTRIES) must be a positive whole number, not 0",
                         "--max-amount (or $METL_MAX_FILE_CENTS) must be a positive whole number, not lots",
                         "--line-ending (or $METL_LINE_ENDING) must be lf or crlf, not cr",
                         "--sign-with (or $METL_SIGN_WITH) needs --encrypt-to (or $METL_ENCRYPT_TO)",
                         "scheme ftp is not supported"] {
            #expect(error.problems.contains { $0.contains(expected) }, "\(expected) not in \(error.problems)")
        }
        #expect(error.problems.contains { $0.contains("the ODFI routing number must be 9 digits with a valid check digit") }, "the routing number's check digit: \(error.problems)")
        #expect(error.problems.count == 6, "each problem once: \(error.problems)")
    }

    @Test func eachProfileSendsForItselfAndPositivePayOnlyThroughTheDefault() throws {
        let (_, settings) = try twoBanks()
        #expect(settings.defaultProfile == "primary")
        #expect(settings.routing.merchants["globex"] == "backup")
        let cutoffs = try settings.cutoffs(CutoffFlags(), sending: true, layers: Layers(environment: [:]), logger: logger)
        #expect(cutoffs.map(\.profile) == ["backup", "primary"])
        #expect(cutoffs[0].kinds.map { $0.renderer.kind } == [.nacha])
        #expect(cutoffs[1].kinds.map { $0.renderer.kind } == [.nacha, .positivePay, .decisions])

        var flags = CutoffFlags()
        flags.profile = "backup"
        flags.kind = .positivePay
        let refused = try #require(SettingsTests.refusal { try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger) })
        #expect(refused.code == .conflict && refused.isUsage)
        #expect(refused.description.contains("go through the default profile, primary"))
    }

    @Test func aFlagForEveryProfileIsRefusedAndAppliesToTheOneNamed() throws {
        let (_, settings) = try twoBanks()
        var flags = CutoffFlags()
        flags.originName = "OVERRIDE"
        let everyProfile = try #require(SettingsTests.refusal {
            try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger)
        })
        #expect(everyProfile.code == .conflict && everyProfile.isUsage)
        #expect(everyProfile.description == "--origin-name (or $METL_ORIGIN_NAME) would apply to every one of 2 bank profiles: name one with --profile")
        // A variable counts as much as a flag.
        #expect(SettingsTests.refusal {
            try settings.cutoffs(CutoffFlags(), sending: true, layers: Layers(environment: ["METL_SFTP_PASSWORD": "x"]), logger: logger)
        }?.code == .conflict)
        flags.profile = "backup"
        let cutoffs = try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger)
        let renderer = try #require(cutoffs.first?.kinds.first?.renderer as? NACHAFileRenderer)
        #expect(renderer.profile.originName == "OVERRIDE" && renderer.profile.odfiRouting == "026009593")
        flags.profile = "nowhere"
        #expect(SettingsTests.refusal { try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger) }?.code
                == .unknownProfile)
    }

    @Test func aWindowFlagMustStillFitEveryWindowOfTheProfile() throws {
        let (_, settings) = try twoBanks()
        var flags = CutoffFlags()
        flags.profile = "backup"
        flags.window = "2h"
        let error = try #require(SettingsTests.refusal { try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger) })
        #expect(error.description.contains("--window 2h: profile backup: window sd1: the 120-minute delivery from 10:30 does not fit"))
        flags.window = "30m"
        #expect(try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger).first?.window == .seconds(1_800))
        flags.window = "soon"
        #expect(SettingsTests.refusal { try settings.cutoffs(flags, sending: true, layers: Layers(environment: [:]), logger: logger) }?.isUsage == true)
    }

    @Test func ingestTakesEachProfilesInboundUnlessASourceOrFilesAreNamed() throws {
        let (fixture, settings) = try twoBanks()
        let configuration = try IngestConfiguration(IngestFlags(), settings: settings, layers: Layers(environment: [:]), logger: logger)
        #expect(configuration.maximumFileBytes == IngestJob.defaultMaximumFileBytes)
        #expect(try configuration.sources(filesNamed: false).map(\.location) == [fixture.directory.appendingPathComponent("backup-in").path])
        #expect(try configuration.sources(filesNamed: true).isEmpty)
        let named = try IngestConfiguration(IngestFlags(maxFileBytes: 1_000), settings: settings,
                                            layers: Layers(environment: ["METL_INBOUND": "/srv/in", "METL_KNOWN_HOSTS": "/srv/known_hosts"]), logger: logger)
        let sources = try named.sources(filesNamed: true)
        #expect(sources.map(\.location) == ["/srv/in"] && sources.first?.login.knownHosts == "/srv/known_hosts")
        #expect(named.maximumFileBytes == 1_000)
        let error = try #require(SettingsTests.refusal {
            try IngestConfiguration(IngestFlags(maxFileBytes: -1, requireSigner: "ABCD"), settings: settings, layers: Layers(environment: [:]),
                                    logger: logger)
        })
        #expect(error.description.contains("--max-file-bytes (or $METL_INBOUND_MAX_BYTES) must be a positive whole number, not -1"))
    }

    @Test func serveAndWebhookSettingsReportEveryBadValue() throws {
        let layers = Layers(environment: ["METL_PORT": "99999", "METL_IDLE_TIMEOUT": "forever", "METL_WEBHOOKS_CONCURRENCY": "0",
                                          "METL_WEBHOOKS_RETRY_SCHEDULE": "soon", "METL_WEBHOOKS_ALLOW_PRIVATE": "true"])
        let webhooks = try #require(SettingsTests.refusal { try WebhookFlags().settings(layers: layers) })
        #expect(webhooks.problems.count == 2)
        #expect(webhooks.problems.contains("--webhooks-concurrency (or $METL_WEBHOOKS_CONCURRENCY) must be a positive whole number, not 0"))
        let delivery = try WebhookFlags(timeout: "3s").settings(layers: Layers(environment: ["METL_WEBHOOKS_ALLOW_PRIVATE": "true"]))
        #expect(delivery.requestTimeout == .seconds(3) && delivery.addressPolicy.allowPrivate)

        var settings = Settings()
        settings.maximumPaymentCents = 1_234
        let serve = try #require(SettingsTests.refusal {
            try ServeConfiguration(ServeFlags(maxConnections: 0), settings: settings, webhooks: WebhookSettings(), layers: layers)
        })
        #expect(serve.problems.sorted() == ["--idle-timeout (or $METL_IDLE_TIMEOUT) must be a duration such as 10s, 5m or 5d, not forever",
                                            "--max-connections (or $METL_MAX_CONNECTIONS) must be a positive whole number, not 0",
                                            "--port (or $METL_PORT) must be 0 to 65535"])
        let resolved = try ServeConfiguration(ServeFlags(port: 0, bodyTimeout: "5s"), settings: settings, webhooks: delivery,
                                              layers: Layers(environment: ["METL_HOST": "0.0.0.0"]))
        #expect(resolved.host == "0.0.0.0" && resolved.port == 0 && resolved.api.bodyTimeout == .seconds(5))
        #expect(resolved.api.rules.maximumAmount == 1_234 && resolved.api.webhookAddresses.allowPrivate)
    }
}
