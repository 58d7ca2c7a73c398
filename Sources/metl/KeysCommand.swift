import ArgumentParser
import MetlConfiguration
import Payments

/// `metl merchants keys`: API keys. A secret is printed once, at creation; the database keeps its hash.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "keys", abstract: "Create, list and revoke a merchant's API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct KeyDocument: Encodable {
        var id: String
        var merchantID: String
        var hint: String
        var createdAt: String
        @Nullable var revokedAt: String?
        enum CodingKeys: String, CodingKey {
            case id, merchantID = "merchant_id", hint, createdAt = "created_at", revokedAt = "revoked_at"
        }
        init(_ key: APIKey) {
            id = key.id
            merchantID = key.merchantID
            hint = key.hint
            createdAt = Timestamp.format(key.createdAt)
            revokedAt = key.revokedAt.map(Timestamp.format)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Create an API key; prints its secret once (with --json: {\"key\": …, \"id\": …}).")
        @Argument(help: "Merchant id or name.") var merchant: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Created: Encodable {
            var key: String
            var id: String
        }

        func run() async throws {
            let (store, _) = try await store.openStore()
            try await acting.acting(store, .admin, to: "create an API key") {
                let found = try await store.merchant(merchant)
                let (key, secret) = try await store.createAPIKey(merchantID: found.id)
                if output.json { return try Output.json(Created(key: secret, id: key.id)) }
                Output.secret(secret, label: "API key secret")
                Output.error("created API key \(key.id) for \(found.name); the secret above is not shown again")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "List a merchant's API keys (never their secrets).")
        @Argument(help: "Merchant id or name.") var merchant: String
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: APIKey.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            let keys = try await store.apiKeys(merchantID: try await store.merchant(merchant).id)
            let page = try await ListPage.fetch(window, id: \.id) { window in window.select(keys, id: \.id, createdAt: \.createdAt) }
            try ListOptions.print(page, json: output.json, document: KeyDocument.init, empty: "no API keys",
                                  header: ["ID", "KEY", "CREATED", "REVOKED"]) {
                [$0.id, $0.hint, Timestamp.format($0.createdAt), $0.revokedAt.map(Timestamp.format) ?? "-"]
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Revoke an API key; requests with it get 401 at once.")
        @Argument(help: "Merchant id or name.") var merchant: String
        @Argument(help: "Key id (key_…).") var keyID: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, _) = try await store.openStore()
            try await acting.acting(store, .admin, to: "revoke an API key") {
                let key = try await store.revokeAPIKey(id: keyID, merchantID: try await store.merchant(merchant).id)
                if output.json { return try Output.json(KeyDocument(key)) }
                Output.line("revoked \(key.id) (\(key.hint))")
            }
        }
    }
}
