import ArgumentParser
import Foundation
import Payments

/// `metl idempotency purge`: forgets keys of payments final for longer than the retention period.
struct IdempotencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "idempotency", abstract: "Maintain stored idempotency keys.", subcommands: [Purge.self])

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Delete idempotency keys whose payment has been final (P_COMPLETED or P_FAILED) for --days or more.",
            discussion: """
                Keys are kept at least 30 days after their payment is final. A purged key can be used again and \
                then creates a new payment, so the retention must outlast any client's retries.
                """)
        @Option(help: "Retention in days after the payment became final (at least 30).") var days = 30
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Result: Encodable { var purged: Int }

        func validate() throws {
            guard days >= 30 else { throw ValidationError("--days must be at least 30") }
        }

        func run() async throws {
            let (store, _) = try await store.openStore()
            let purged = try await store.purgeIdempotencyKeys(finalBefore: Date().addingTimeInterval(-Double(days) * 86_400))
            if output.json { return try Output.json(Result(purged: purged)) }
            Output.line("purged \(Words.count(purged, "idempotency key")) of payments final for \(days) days or more")
        }
    }
}
