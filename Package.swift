// swift-tools-version:6.1
import PackageDescription

/// metl's release version, and the commit it is built from: `make` passes the working tree's as
/// METL_BUILD_COMMIT (an environment value, so SwiftPM evaluates this manifest again when it
/// changes); a bare `swift build` uses the commit SwiftPM saw when it last evaluated the manifest.
let version = "0.9.0"
let commit = Context.environment["METL_BUILD_COMMIT"].flatMap { $0.isEmpty ? nil : $0 }
    ?? Context.gitInformation.map { String($0.currentCommit.prefix(12)) + ($0.hasUncommittedChanges ? "-dirty" : "") } ?? "unknown"

/// The console's templates and stylesheet, compiled into the binary: a deployed `metl` needs no files beside it.
let consoleResources: [Resource] = [
    "layout", "sign-in", "today", "files", "file", "payments", "payment", "bank-files", "bank-file", "positive-pay",
    "approvals", "webhooks", "audit", "operators", "account", "message",
].map { .embedInCode("Templates/\($0).mustache") } + [.embedInCode("Static/console.css")]

let package = Package(
    name: "metl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "metl", targets: ["metl"]),
        .executable(name: "metl-bench", targets: ["metl-bench"]),
        .executable(name: "metl-webhook-receiver", targets: ["metl-webhook-receiver"]),
        .library(name: "NACHA", targets: ["NACHA"]),
        .library(name: "Payments", targets: ["Payments"]),
        .library(name: "SQLiteStore", targets: ["SQLiteStore"]),
        .library(name: "WebhookReceiver", targets: ["WebhookReceiver"]),
        // Test helpers (loopback sshd and HTTP servers, fixtures, the store contract's implementations), shared by tests and benches.
        .library(name: "TestSupport", targets: ["TestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // libssh2 from the system (Debian: libssh2-1-dev).
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        // A safe SFTP client over libssh2; blocking calls on its own dispatch queue.
        .target(name: "SFTP", dependencies: [
            "CLibSSH2",
            .product(name: "Logging", package: "swift-log"),
            // The fingerprints of the keys a known_hosts file already holds.
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Mail submission over TLS (STARTTLS or implicit), for the alerts' email channel.
        .target(name: "SMTP", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Pure NACHA file format: records, writer, reader, validator. No database, no network.
        .target(name: "NACHA"),
        // Payment domain: payment, state machine, validation, store protocol.
        .target(name: "Payments", dependencies: [
            "NACHA", "BankFiles",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            // Operators' passwords: bcrypt, slow and salted (the C core only, no server).
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        ]),
        // SQLite (GRDB) implementation of the Payments store.
        .target(name: "SQLiteStore", dependencies: [
            "Payments",
            .product(name: "GRDB", package: "GRDB.swift"),
            // The plan writer binds its bulk statements' values through SQLite's C API.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // PostgreSQL (postgres-nio) implementation of the Payments store, for several instances on one database.
        .target(name: "PostgresStore", dependencies: [
            "Payments",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Bank report formats besides NACHA: FedACH acknowledgements, BAI2.
        .target(name: "BankFiles", dependencies: ["NACHA"]),
        // The version and commit this build is, for `metl --version`, /healthz and metl_build_info.
        .target(name: "CBuildInfo", cSettings: [.define("METL_VERSION", to: "\"\(version)\""), .define("METL_COMMIT", to: "\"\(commit)\"")]),
        // OpenPGP through the gpg binary (swift-subprocess) in a GnuPG home metl owns.
        .target(name: "OpenPGP", dependencies: [
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The jobs: cutoff (render, archive, deliver) and its destinations, ingest, imports.
        .target(name: "Pipeline", dependencies: [
            "NACHA", "Payments", "SFTP", "BankFiles", "OpenPGP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The merchants' HTTP front door (Hummingbird 2): payments, idempotency, auth, problem+json, metrics.
        .target(name: "API", dependencies: [
            "NACHA", "Payments", "Webhooks", "WebhookSignature",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            // `metl serve --tls-certificate … --tls-key …`.
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [.embedInCode("openapi.json")]),
        // Standard Webhooks signatures, shared by the sender and the receiver kit.
        .target(name: "WebhookSignature", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Webhook delivery: outbox worker, retries, dead letters, address policy.
        .target(name: "Webhooks", dependencies: [
            "Payments", "WebhookSignature", "SMTP",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The receiver kit for merchants: verify, dedupe, order, reconcile with GET /payments/{id}.
        .target(name: "WebhookReceiver", dependencies: [
            "WebhookSignature",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The people's console under /console/: server-rendered pages over the same operations as the
        // CLI, sessions, CSRF tokens and a role on every route.
        .target(name: "Console", dependencies: [
            "NACHA", "Payments", "Pipeline",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: consoleResources),
        // Settings resolved from flags, METL_* variables and the configuration file, every rule once.
        .target(name: "MetlConfiguration", dependencies: [
            "NACHA", "Payments", "SQLiteStore", "PostgresStore", "Pipeline", "API", "Webhooks", "OpenPGP", "Console", "SMTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "metl", dependencies: [
            "CBuildInfo", "MetlConfiguration", "NACHA", "BankFiles", "Payments", "SQLiteStore", "PostgresStore", "Pipeline", "SFTP", "API", "Webhooks",
            "WebhookSignature", "OpenPGP", "Console",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Example merchant receiver (README: "Receiving metl webhooks").
        .executableTarget(name: "metl-webhook-receiver", dependencies: [
            "WebhookReceiver",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "metl-bench", dependencies: [
            "NACHA", "Payments", "SQLiteStore", "PostgresStore", "Pipeline", "SFTP", "TestSupport", "BankFiles", "API", "Webhooks",
            "WebhookSignature", "OpenPGP", "Console",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            // The raw write baseline binds and steps statements through SQLite's C API.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .testTarget(name: "NACHATests", dependencies: [
            "NACHA",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "CLITests", dependencies: [
            "metl", "TestSupport", "SQLiteStore", "PostgresStore", "Pipeline", "OpenPGP", "NACHA",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // A real OpenSSH server on loopback for the SFTP and pipeline tests.
        .target(name: "TestSupport", dependencies: [
            "Payments", "SQLiteStore", "PostgresStore", "NACHA", "BankFiles", "OpenPGP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "Tests/Support"),
        .testTarget(name: "SFTPTests", dependencies: ["SFTP", "TestSupport"]),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "OpenPGPTests", dependencies: ["OpenPGP", "TestSupport"]),
        .testTarget(name: "BankFilesTests", dependencies: ["BankFiles", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "SQLiteStore", "SFTP", "TestSupport", "BankFiles", "NACHA", "OpenPGP"]),
        .testTarget(name: "APITests", dependencies: [
            "API", "NACHA", "Payments", "SQLiteStore", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "WebhooksTests", dependencies: [
            "Webhooks", "WebhookReceiver", "WebhookSignature", "API", "Payments", "SQLiteStore", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "MetlConfigurationTests", dependencies: [
            "MetlConfiguration", "Payments", "Pipeline", "OpenPGP", "NACHA", "TestSupport", "Webhooks", "SMTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ConsoleTests", dependencies: [
            "Console", "API", "Payments", "SQLiteStore", "Pipeline", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "PaymentsTests", dependencies: [
            "Payments", "SQLiteStore", "PostgresStore", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
