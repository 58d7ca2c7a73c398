import ArgumentParser
import Foundation
import MetlConfiguration
import NACHA
import Payments
import Pipeline

struct PaymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "payments", abstract: "Create, import and look at payments.",
        subcommands: [Create.self, Import.self, Show.self, List.self, Cancel.self])

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Stop a payment before it reaches the bank: P_FAILED (cancelled), its funds released; prints it as JSON.",
            discussion: """
                A payment in a rendered file that was never sent is taken out of it: the file is cancelled and its other \
                payments go in the next cutoff's files, each with a history row. Once its file is being sent or at the bank \
                the cancel is refused (exit 5) with the file's status. Cancelling a cancelled payment changes nothing.
                """)
        @Argument(help: "Payment id.") var id: String
        @Option(help: "Why, for the payment's history and its merchant's webhook.") var reason: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
            let (store, _) = try await store.openStore()
            let actor = try await acting.actor(store, .operator, to: "cancel a payment")
            try Output.json(PaymentDocument(try await store.cancelPayment(id: id, actor: actor, reason: reason)))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Create one payment from a JSON document; prints the payment as JSON.",
            discussion: "The same key with the same document returns the same payment; with another document it fails (exit 5).")
        @Option(help: "Merchant id or name.") var merchant: String
        @Option(help: "A UUID v4 that makes the request safe to repeat.") var idempotencyKey: String
        @Option(name: .customLong("json"), help: "The payment document: a file, or - for standard input.") var document: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let key = try IdempotencyKey.validate(idempotencyKey, field: "--idempotency-key")
            let data = try readInput(document)
            let (store, settings) = try await store.openStore()
            let actor = try await acting.actor(store, .operator, to: "create a payment")
            let request = try PaymentRequest.decode(json: data).validate(rules: settings.rules, today: settings.today)
            let found = try await store.merchant(merchant)
            let outcome = try await store.intake([PaymentIntake(merchantID: found.id, idempotencyKey: key, request: request, actor: actor,
                                                                approvalsRequired: settings.approvalPolicy.approvalsRequired(merchant: found,
                                                                                                                            request: request))])
            try Output.json(PaymentDocument(outcome[0].payment))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Import payments from a CSV file, all rows or none.",
            discussion: """
                Columns: \(CSVImport.requiredColumns.joined(separator: ",")) and optionally currency, metadata (JSON object).
                Every row is checked first; any bad row rejects the whole file (exit 3) and lists each problem by line.
                Rows whose idempotency key was imported before return the stored payment: importing a file twice creates nothing.
                The rows are staged in short transactions that no reader sees and appear together at the end, so a large
                import does not hold up the API; an import interrupted midway leaves nothing and is cleaned up by the next one.
                """)
        @Argument(help: "CSV file, or - for standard input.") var file: String
        @Option(help: "Merchant id or name.") var merchant: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = file == "-" ? FileHandle.standardInput : try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            let (store, settings) = try await store.openStore()
            let actor = try await acting.actor(store, .operator, to: "import payments")
            let found = try await store.merchant(merchant)
            let source = file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent
            let terminal = Output.isTerminal && !output.json
            let spool = output.json ? try JSONArraySpool() : nil
            let job = PaymentImportJob(store: store, logger: Log.make("metl.import", json: output.json))
            let summary = try await job.run(csv: input, merchantID: found.id, source: source, actor: actor, rules: settings.rules,
                                            approvals: settings.approvalPolicy, today: settings.today, progress: { staged in
                if terminal { Output.progress("staged \(staged) rows") }
            }) { outcomes in try spool?.append(outcomes.map { PaymentDocument($0.payment) }) }
            if terminal { Output.progress(nil) }
            if let spool { return try spool.print() }
            Output.line("\(summary.rows) rows: \(summary.created) created (\(summary.created - summary.failed - summary.awaitingApproval) validated, "
                        + "\(summary.failed) failed" + (summary.awaitingApproval > 0 ? ", \(summary.awaitingApproval) awaiting approval" : "")
                        + "), \(summary.alreadyImported) already imported")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Show a payment and its full history.")
        @Argument(help: "Payment id.") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Document: Encodable {
            var payment: PaymentDocument
            var history: [HistoryDocument]
        }

        func run() async throws {
            let (store, _) = try await store.openStore(.reading)
            let payment = try await store.payment(id: id)
            let history = try await store.history(paymentID: id)
            if output.json {
                return try Output.json(Document(payment: PaymentDocument(payment), history: history.map(HistoryDocument.init)))
            }
            let document = PaymentDocument(payment)
            Output.line("\(payment.id)  \(payment.state)  version \(payment.version)")
            Output.line("  \(payment.direction.rawValue) \(Dollars.format(payment.amount)) \(payment.currency) \(payment.secCode) "
                        + "\"\(payment.description)\" effective \(payment.effectiveDate)")
            Output.line("  counterparty \(payment.counterparty.name), routing \(payment.counterparty.routingNumber), "
                        + "\(payment.counterparty.accountType.rawValue) \(document.counterparty.accountNumber)")
            if let failure = payment.failure { Output.line("  failure \(failure.code): \(failure.message)") }
            Output.line()
            HistoryTable.print(history)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "List payments, oldest first, a page at a time.",
            discussion: "Amounts are in cents, as in the API. --json prints {data, next_cursor}; pass next_cursor to --after for the next page.")
        @Option(help: "Only payments in this state (P_VALIDATED or validated).") var state: String?
        @Option(help: "Only this merchant's payments (id or name).") var merchant: String?
        @Option(help: "Only payments of at least this many cents.") var minAmount: Int64?
        @Option(help: "Only payments of at most this many cents.") var maxAmount: Int64?
        @Option(help: "Only the payment sent with this trace number.") var trace: String?
        @Option(help: "Only payments in this outbound file (fil_…).") var file: String?
        @OptionGroup var list: ListOptions

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var query = PaymentQuery(state: try state.map(PaymentState.argument), minimumAmount: try amount(minAmount, "--min-amount"),
                                     maximumAmount: try amount(maxAmount, "--max-amount"), traceNumber: try traceNumber(),
                                     fileID: file, window: try list.window(prefix: Payment.idPrefix))
            let (store, _) = try await store.openStore(.reading)
            query.merchantID = try await store.merchantID(named: merchant)
            let page = try await ListPage.fetch(query.window, id: \.id) { window in
                query.window = window
                return try await store.payments(query)
            }
            try ListOptions.print(page, json: output.json, document: PaymentDocument.init, empty: "no payments",
                                  header: ["ID", "CREATED", "STATE", "DIRECTION", "AMOUNT", "SEC", "EFFECTIVE", "COUNTERPARTY", "FAILURE"]) {
                [$0.id, Timestamp.format($0.createdAt), $0.state.rawValue, $0.direction.rawValue, Dollars.format($0.amount),
                 $0.secCode.rawValue, $0.effectiveDate.description, $0.counterparty.name, $0.failure?.code ?? ""]
            }
        }

        private func traceNumber() throws -> Int? {
            guard let trace else { return nil }
            guard trace.utf8.count == 15, trace.allSatisfy(\.isASCII), let number = Int(trace) else {
                throw ValidationError("--trace takes the 15-digit trace number, not \(trace)")
            }
            return number
        }
    }
}

extension ParsableArguments {
    /// An amount option's check: whole cents, at least one.
    func amount(_ cents: Int64?, _ option: String) throws -> Int64? {
        guard let cents else { return nil }
        guard cents > 0 else { throw ValidationError("\(option) takes a number of cents of at least 1, not \(cents)") }
        return cents
    }
}

/// Reads a file, or standard input for `-`.
func readInput(_ path: String) throws -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    return try Data(contentsOf: URL(fileURLWithPath: path))
}
