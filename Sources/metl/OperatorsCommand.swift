import ArgumentParser
import Foundation
import MetlConfiguration
import Payments

struct OperatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "operators", abstract: "The people who operate metl: their roles (operator, approver, auditor, admin) and credentials.",
        discussion: """
            The first operator is an admin, enrolled on a database with none; after that only an admin enrols, \
            changes roles, disables and enables. Passwords are kept as bcrypt hashes; TOTP secrets sealed with \
            the key in $METL_SECRETS_KEY_FILE. Refusals exit 10.
            """,
        subcommands: [Add.self, List.self, Show.self, Disable.self, Enable.self, Roles.self, Password.self, TOTPCommand.self])

    struct Document: Encodable {
        var id: String, name: String, roles: [String], enabled: Bool, password: Bool, totp: Bool, createdAt: String
        @Nullable var email: String?
        @Nullable var disabledAt: String?
        enum CodingKeys: String, CodingKey {
            case id, name, roles, email, enabled, password, totp, createdAt = "created_at", disabledAt = "disabled_at"
        }

        init(_ person: Operator) {
            (id, name, roles, email) = (person.id, person.name, person.roles.sorted().map(\.rawValue), person.email)
            (enabled, password, totp) = (person.isEnabled, person.passwordHash != nil, person.sealedTOTPSecret != nil)
            (createdAt, disabledAt) = (Timestamp.format(person.createdAt), person.disabledAt.map(Timestamp.format))
        }
    }

    static func roles(_ text: String) throws -> Set<OperatorRole> {
        switch OperatorRole.parse(text) {
        case .success(let roles): return roles
        case .failure(let error): throw ValidationError(error.message)
        }
    }

    static func show(_ person: Operator, json: Bool) throws {
        if json { return try Output.json(Document(person)) }
        Output.line("\(person.name)  \(person.roles.sorted().map(\.rawValue).joined(separator: ","))  \(person.isEnabled ? "enabled" : "disabled")"
                    + "  password \(person.passwordHash == nil ? "not set" : "set"), TOTP \(person.sealedTOTPSecret == nil ? "not enrolled" : "enrolled")"
                    + "  (\(person.id))")
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Enrol an operator (the first one must be an admin).")
        @Argument(help: "A unique name: lower-case letters, digits, '.', '_', '-'.") var name: String
        @Option(help: "Roles, comma-separated: operator, approver, auditor, admin.") var role: String
        @Option(help: "An e-mail address, for the record.") var email: String?
        @OptionGroup var password: PasswordOptions
        @Flag(help: "Set no password now (metl operators password NAME later).") var noPassword = false
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let roles = try OperatorsCommand.roles(role)
            let secret = noPassword ? nil : try password.password(prompt: "password for \(name): ")
            let (store, settings) = try await store.openStore()
            let by = try await store.acting(acting.actingName)
            let person = try await store.enroll(name: name, roles: roles, email: email, password: secret, by: by, at: settings.clock())
            try OperatorsCommand.show(person, json: output.json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "List operators, their roles and credentials (never the secrets).")
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: Operator.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            let everyone = try await store.operators()
            let page = try await ListPage.fetch(window, id: \.id) { window in window.select(everyone, id: \.id, createdAt: \.createdAt) }
            try ListOptions.print(page, json: output.json, document: Document.init, empty: "no operators: enrol the first admin with "
                                  + "metl operators add NAME --role admin", header: ["NAME", "ROLES", "STATE", "PASSWORD", "TOTP", "SINCE", "ID"]) {
                [$0.name, $0.roles.sorted().map(\.rawValue).joined(separator: ","), $0.isEnabled ? "enabled" : "disabled",
                 $0.passwordHash == nil ? "not set" : "set", $0.sealedTOTPSecret == nil ? "-" : "enrolled", Timestamp.format($0.createdAt), $0.id]
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "One operator and every change made to it, with who made it.")
        @Argument(help: "Operator name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Shown: Encodable {
            var `operator`: Document
            var history: [Change]
            struct Change: Encodable { var version: Int, actor: String, change: String, at: String }
        }

        func run() async throws {
            let (store, _) = try await store.openStore(.reading)
            let person = try await store.operatorNamed(name)
            let history = try await store.operatorChanges(operatorID: person.id)
            if output.json {
                return try Output.json(Shown(operator: Document(person), history: history.map {
                    .init(version: $0.version, actor: $0.actor.rawValue, change: $0.change, at: Timestamp.format($0.at))
                }))
            }
            try OperatorsCommand.show(person, json: false)
            Output.line()
            Output.table(["VERSION", "AT", "BY", "CHANGE"], history.map { [String($0.version), Timestamp.format($0.at), $0.actor.rawValue, $0.change] })
        }
    }

    /// What a change to one operator takes: whose, who acts, the store, the output.
    struct Change: ParsableArguments {
        @Argument(help: "Operator name.") var name: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        /// Changes the operator as `body` says, as an admin (or, when `selfAllowed`, as themself), and shows the result.
        func apply(selfAllowed: Bool = false, _ body: (inout Operator) throws -> Void) async throws {
            let (database, settings) = try await store.openStore()
            let by = try await database.acting(acting.actingName)
            try show(try await database.changeOperator(named: name, by: by, selfAllowed: selfAllowed, at: settings.clock(), body),
                     json: output.json)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Disable an operator: they can no longer act or approve.")
        @OptionGroup var change: Change

        func run() async throws {
            try await change.apply { person in
                if person.disabledAt == nil { person.disabledAt = Date() }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Enable a disabled operator.")
        @OptionGroup var change: Change

        func run() async throws { try await change.apply { $0.disabledAt = nil } }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Set an operator's roles (comma-separated).")
        @OptionGroup var change: Change
        @Argument(help: "Roles: operator, approver, auditor, admin.") var roles: String

        func run() async throws {
            let roles = try OperatorsCommand.roles(roles)
            try await change.apply { $0.roles = roles }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Set an operator's password (an admin, or the operator themself).")
        @OptionGroup var change: Change
        @OptionGroup var password: PasswordOptions

        func run() async throws {
            let hash = try PasswordHash.make(try password.password(prompt: "new password for \(change.name): "))
            try await change.apply(selfAllowed: true) { $0.passwordHash = hash }
        }
    }

    struct TOTPCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(commandName: "totp", abstract: "Time-based one-time codes for an operator's approvals.",
                                                        subcommands: [Enroll.self, Reset.self])

        struct Enroll: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(
                abstract: "Enrol an operator in TOTP; prints the otpauth:// URI once (RFC 6238: SHA-1, 30 s, 6 digits).",
                discussion: "The secret is sealed with the key in --secrets-key-file or $METL_SECRETS_KEY_FILE (32 bytes: openssl rand -base64 32).")
            @Argument(help: "Operator name.") var name: String
            @OptionGroup var secretsKey: SecretsKeyOptions
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions

            func run() async throws {
                let settings = try store.settings()
                guard let secrets = try secretsKey.key(settings) else {
                    throw ConfigurationError(.missingValue, "TOTP needs --secrets-key-file or $METL_SECRETS_KEY_FILE", isUsage: true)
                }
                let secret = TOTP.makeSecret()
                let sealed = try secrets.seal(secret)
                let (database, _) = try await store.openStore()
                let by = try await database.acting(acting.actingName)
                _ = try await database.changeOperator(named: name, by: by, selfAllowed: true, at: settings.clock()) { person in
                    person.sealedTOTPSecret = sealed
                    person.lastTOTPStep = nil
                }
                Output.secret(TOTP.uri(secret: secret, account: name), label: "TOTP enrolment URI")
                Output.error("enrolled \(name) in TOTP; the URI above is not shown again")
            }
        }

        struct Reset: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(abstract: "Remove an operator's TOTP enrolment (an admin).")
            @OptionGroup var change: Change

            func run() async throws {
                try await change.apply { person in
                    person.sealedTOTPSecret = nil
                    person.lastTOTPStep = nil
                }
            }
        }
    }
}
