import ArgumentParser
import MetlConfiguration
import NACHA
import Payments

struct MerchantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "merchants", abstract: "Manage merchants (originators) and their funding.",
        subcommands: [Add.self, Fund.self, List.self, KeysCommand.self])

    struct MerchantDocument: Encodable {
        var id: String
        var name: String
        var companyID: String
        var companyName: String
        var balance: Int64
        var createdAt: String
        enum CodingKeys: String, CodingKey {
            case id, name, companyID = "company_id", companyName = "company_name", balance = "balance_cents", createdAt = "created_at"
        }
        init(_ merchant: Merchant) {
            id = merchant.id
            name = merchant.name
            companyID = merchant.companyID
            companyName = merchant.companyName
            balance = merchant.balance
            createdAt = Timestamp.format(merchant.createdAt)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Add a merchant.")
        @Argument(help: "A unique name for the merchant.") var name: String
        @Option(help: "Batch header company identification, e.g. 1 + EIN (10 characters).") var companyID: String
        @Option(help: "Batch header company name (16 characters).") var companyName: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, _) = try await store.openStore()
            try await acting.acting(store, .admin, to: "add a merchant") {
                let merchant = try await store.addMerchant(name: name, companyID: companyID, companyName: companyName)
                if output.json { return try Output.json(MerchantDocument(merchant)) }
                Output.line("added merchant \(merchant.id) (\(merchant.name))")
            }
        }
    }

    struct Fund: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Add funds (in cents) to a merchant's balance.")
        @Argument(help: "Merchant id or name.") var merchant: String
        @Argument(help: "Amount in cents.") var cents: Int64
        @Option(help: "Reference recorded in the funding ledger (e.g. wire id).") var reference = "cli"
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, _) = try await store.openStore()
            let actor = try await acting.actor(store, .admin, to: "fund a merchant")
            let found = try await store.merchant(merchant)
            let funded = try await store.fund(merchantID: found.id, amount: cents, actor: actor, reference: reference)
            if output.json { return try Output.json(MerchantDocument(funded)) }
            Output.line("\(funded.name): balance \(Dollars.format(funded.balance))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "List merchants and balances, a page at a time.")
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: Merchant.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            let merchants = try await store.merchants()
            let page = try await ListPage.fetch(window, id: \.id) { window in window.select(merchants, id: \.id, createdAt: \.createdAt) }
            try ListOptions.print(page, json: output.json, document: MerchantDocument.init, empty: "no merchants",
                                  header: ["ID", "NAME", "COMPANY ID", "COMPANY NAME", "BALANCE"]) {
                [$0.id, $0.name, $0.companyID, $0.companyName, Dollars.format($0.balance)]
            }
        }
    }
}
