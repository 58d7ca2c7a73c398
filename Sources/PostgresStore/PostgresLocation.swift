import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL database is and how to reach it, from a libpq-style URL:
/// `postgres://user[:password]@host[:port]/database?sslmode=…&sslrootcert=…`.
///
/// TLS follows libpq's names: `disable` (plaintext), `prefer` (the default: TLS when the server
/// offers it, certificate not checked), `require` (TLS, certificate not checked), `verify-ca`
/// (TLS, certificate signed by `sslrootcert` or the system's roots) and `verify-full` (that, and
/// the certificate names the host). The password may be in the URL or be given apart (from
/// `PGPASSWORD` or a file, which the executable reads); `description` never shows it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
            public let rawValue: String
            public init(rawValue: String) { self.rawValue = rawValue }
            public var description: String { rawValue }

            public static let notAURL = Code(rawValue: "not_a_url")
            public static let missingPart = Code(rawValue: "missing_part")
            public static let badOption = Code(rawValue: "bad_option")
        }

        public var code: Code
        /// Names the part at fault; never quotes the URL, which may hold a password.
        public var message: String
        public var description: String { message }
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// CA certificates (PEM) to verify the server with, for `verify-ca` and `verify-full`.
    public var rootCertificatePath: String?

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
                tls: TLSMode = .prefer, rootCertificatePath: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificatePath = rootCertificatePath
    }

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` or `postgresql://` URL. `password`, when given, is used where the URL
    /// has none.
    public init(url text: String, password: String? = nil) throws(ParseError) {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw ParseError(code: .notAURL, message: "a PostgreSQL URL starts postgres:// and is well formed")
        }
        // A NUL would cut the value short in C; a bad escape decodes to something else than written.
        guard !text.utf8.contains(0), !text.lowercased().contains("%00") else {
            throw ParseError(code: .notAURL, message: "the PostgreSQL URL holds a NUL character")
        }
        guard Self.escapesAreWellFormed(text) else {
            throw ParseError(code: .notAURL, message: "the PostgreSQL URL has a % not followed by two hexadecimal digits")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw ParseError(code: .badOption, message: "the PostgreSQL URL's port \(port) is not 1 to 65535")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ParseError(code: .missingPart, message: "the PostgreSQL URL names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw ParseError(code: .missingPart, message: "the PostgreSQL URL names no user")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw ParseError(code: .missingPart, message: "the PostgreSQL URL names no database")
        }
        var tls = TLSMode.prefer
        var rootCertificate: String?
        var seen: Set<String> = []
        for item in components.queryItems ?? [] {
            // Which of two values would win is a guess nobody should have to make about TLS.
            guard seen.insert(item.name).inserted else {
                throw ParseError(code: .badOption, message: "the PostgreSQL URL gives \(item.name) twice")
            }
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    let known = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ParseError(code: .badOption, message: "sslmode must be one of \(known)")
                }
                tls = mode
            case "sslrootcert":
                rootCertificate = item.value
            default:
                throw ParseError(code: .badOption, message: "unknown PostgreSQL URL option \(item.name)")
            }
        }
        self.init(host: host, port: components.port ?? 5432, username: user,
                  password: components.password.flatMap { $0.isEmpty ? nil : $0 } ?? password, database: database,
                  tls: tls, rootCertificatePath: rootCertificate)
    }

    /// Every `%` starts an escape of two hexadecimal digits.
    private static func escapesAreWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// The URL without its password.
    public var description: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.host = host
        components.port = port
        components.path = "/" + database
        var items = [URLQueryItem(name: "sslmode", value: tls.rawValue)]
        if let rootCertificatePath { items.append(URLQueryItem(name: "sslrootcert", value: rootCertificatePath)) }
        components.queryItems = items
        return components.string ?? "postgres://\(host):\(port)/\(database)"
    }

    /// The pool's configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch tlsConfiguration() {
        case nil: .disable
        case (let configuration, let required)?: required ? .require(configuration) : .prefer(configuration)
        }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// A single connection's configuration (the one that migrates, before the pool starts).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let rootCertificatePath, tls != .disable, !FileManager.default.isReadableFile(atPath: rootCertificatePath) {
            throw ParseError(code: .badOption, message: "sslrootcert \(rootCertificatePath) cannot be read")
        }
        let tls: PostgresConnection.Configuration.TLS
        switch tlsConfiguration() {
        case nil:
            tls = .disable
        case (let configuration, let required)?:
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ParseError(code: .badOption, message: "sslrootcert \(rootCertificatePath ?? "") holds no PEM certificate NIOSSL can load")
            }
            tls = required ? .require(context) : .prefer(context)
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database,
                                                tls: tls)
    }

    /// The TLS settings `tls` stands for, and whether the connection fails without TLS; nil for plaintext.
    private func tlsConfiguration() -> (TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath { configuration.trustRoots = .file(rootCertificatePath) }
        switch tls {
        case .disable: return nil
        case .prefer, .require:
            configuration.certificateVerification = .none
            return (configuration, tls == .require)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return (configuration, true)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return (configuration, true)
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
