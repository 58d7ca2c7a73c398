import ArgumentParser
import Foundation
import MetlConfiguration
import NACHA
import Payments
import Pipeline

struct ChecksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "checks", abstract: "Positive Pay: enrolled accounts and the checks issued on them.",
        subcommands: [Accounts.self, Issue.self, Import.self, List.self, Show.self, Void.self, Exceptions.self, Discrepancies.self,
                      Decide.self])

    struct Accounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Enrol checking accounts in Positive Pay, list and disable them.",
                                                        subcommands: [Add.self, List.self, Disable.self])

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(
                abstract: "Disable an enrolment: it takes no new checks, and bank files no longer match it.",
                discussion: """
                    The way out when one account number was enrolled twice (bank files naming it are quarantined until one \
                    enrolment is disabled; then retry them with metl ingest --retry INB). Checks already issued keep their history.
                    """)
            @Argument(help: "The account's id (acc_…).") var id: String
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (store, _) = try await store.openStore()
                _ = try await acting.actor(store, .admin, to: "disable an enrolment")
                let account = try await store.disableCheckAccount(id: id, at: Date())
                if output.json { return try Output.json(CheckAccountDocument(account)) }
                Output.line("disabled account \(account.id) (\(account.maskedAccountNumber) at routing \(account.routingNumber))")
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(abstract: "Enrol a merchant's checking account.")
            @Argument(help: "Merchant id or name.") var merchant: String
            @Option(help: "The account's 9-digit routing number.") var routing: String
            @Option(help: "The account number (digits).") var accountNumber: String
            @Option(help: "The issue-file layout the bank takes.") var layout: PositivePayLayout?
            // This option's first name; a bank profile is something else now, so it is kept, hidden, for scripts.
            @Option(name: .customLong("profile"), help: .hidden) var formerLayoutName: PositivePayLayout?
            @Flag(help: "Payee positive pay: every check names its payee, and the bank matches it.") var payeeMatch = false
            @OptionGroup var acting: OperatorOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard (layout == nil) != (formerLayoutName == nil) else { throw ValidationError("give the account's --layout") }
            }

            func run() async throws {
                guard let layout = layout ?? formerLayoutName else { throw ValidationError("give the account's --layout") }
                let (store, _) = try await store.openStore()
                _ = try await acting.actor(store, .admin, to: "enrol an account")
                let found = try await store.merchant(merchant)
                let account = try await store.addCheckAccount(try CheckAccount.enrol(
                    merchantID: found.id, routingNumber: routing, accountNumber: accountNumber, layout: layout, payeeMatch: payeeMatch))
                if output.json { return try Output.json(CheckAccountDocument(account)) }
                Output.line("enrolled account \(account.id) (\(account.maskedAccountNumber), \(layout)) for \(found.name)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration.metl(abstract: "List enrolled accounts, account numbers masked, a page at a time.")
            @Option(help: "Only this merchant's accounts (id or name).") var merchant: String?
            @OptionGroup var list: ListOptions
            @OptionGroup var store: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let window = try list.window(prefix: CheckAccount.idPrefix)
                let (store, _) = try await store.openStore(.reading)
                let accounts = try await store.checkAccounts(merchantID: try await store.merchantID(named: merchant))
                let page = try await ListPage.fetch(window, id: \.id) { window in window.select(accounts, id: \.id, createdAt: \.createdAt) }
                try ListOptions.print(page, json: output.json, document: CheckAccountDocument.init, empty: "no enrolled accounts",
                                      header: ["ID", "MERCHANT", "ROUTING", "ACCOUNT", "LAYOUT", "PAYEE MATCH", "DISABLED"]) {
                    [$0.id, $0.merchantID, $0.routingNumber, $0.maskedAccountNumber, $0.layout.rawValue, $0.payeeMatch ? "yes" : "no",
                     $0.disabledAt.map(Timestamp.format) ?? "-"]
                }
            }
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Register one check from a JSON document; prints the check as JSON.",
            discussion: """
                {"account_id": "acc_…", "serial": "10001", "amount": 12345, "issue_date": "2026-12-01", "payee": "JANE DOE", "metadata": {}}
                The same key with the same document returns the same check; with another document it fails (exit 5).
                """)
        @Option(help: "Merchant id or name.") var merchant: String
        @Option(help: "A UUID v4 that makes the request safe to repeat.") var idempotencyKey: String
        @Option(name: .customLong("json"), help: "The check document: a file, or - for standard input.") var document: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let key = try IdempotencyKey.validate(idempotencyKey, field: "--idempotency-key")
            let data = try readInput(document)
            let (store, settings) = try await store.openStore()
            let actor = try await acting.actor(store, .operator, to: "issue a check")
            let found = try await store.merchant(merchant)
            let request = try CheckIssueRequest.decode(json: data)
            let account = try await store.enrolledAccount(request.accountID, of: found.id)
            let check = try request.validate(for: account, rules: settings.checkRules, today: settings.today)
            let outcome = try await store.issueChecks([CheckIntake(merchantID: found.id, idempotencyKey: key, check: check, actor: actor)])
            try Output.json(CheckDocument(outcome[0].check))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Register checks from a CSV file, all rows or none.",
            discussion: """
                Columns: \(CheckImport.requiredColumns.joined(separator: ",")) and optionally \(CheckImport.optionalColumns.joined(separator: ",")).
                Every row is checked first; any bad row rejects the whole file (exit 3) and lists each problem by line.
                A row whose key was imported before returns the stored check: importing a file twice creates nothing.
                """)
        @Argument(help: "CSV file, or - for standard input.") var file: String
        @Option(help: "Merchant id or name.") var merchant: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let text = String(decoding: try readInput(file), as: UTF8.self)
            let (store, settings) = try await store.openStore()
            let actor = try await acting.actor(store, .operator, to: "import checks")
            let found = try await store.merchant(merchant)
            let accounts = Dictionary(uniqueKeysWithValues: try await store.checkAccounts(merchantID: found.id).map { ($0.id, $0) })
            let rows = try CheckImport.parse(text, accounts: accounts, rules: settings.checkRules, today: settings.today)
            let source = file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent
            let outcomes = try await store.issueChecks(rows.map {
                CheckIntake(merchantID: found.id, idempotencyKey: $0.idempotencyKey, check: $0.check, actor: actor,
                            source: .csvImport(file: source, line: $0.line))
            })
            if output.json { return try Output.json(outcomes.map { CheckDocument($0.check) }) }
            let created = outcomes.filter(\.created)
            Output.line("\(Words.count(outcomes.count, "row")): \(created.count) created "
                        + "(\(created.filter { $0.check.state == .validated }.count) validated, "
                        + "\(created.filter { $0.check.state == .failed }.count) failed), "
                        + "\(outcomes.count - created.count) already imported")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "List checks, oldest first, a page at a time.",
            discussion: "Amounts are in cents. --json prints {data, next_cursor}; pass next_cursor to --after for the next page.")
        @Option(help: "Only checks in this state (P_VALIDATED or validated).") var state: String?
        @Option(help: "Only checks on this account (acc_…).") var account: String?
        @Option(help: "Only this merchant's checks (id or name).") var merchant: String?
        @Option(help: "Only checks with this serial.") var serial: String?
        @Option(help: "Only checks of at least this many cents.") var minAmount: Int64?
        @Option(help: "Only checks of at most this many cents.") var maxAmount: Int64?
        @Option(help: "Only checks whose issue or void record went in this outbound file (fil_…).") var file: String?
        @OptionGroup var list: ListOptions

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var query = CheckQuery(accountID: account, state: try state.map(PaymentState.argument), serial: serial.map(CheckIssue.matchingSerial),
                                   minimumAmount: try amount(minAmount, "--min-amount"), maximumAmount: try amount(maxAmount, "--max-amount"),
                                   fileID: file, window: try list.window(prefix: CheckIssue.idPrefix))
            let (store, _) = try await store.openStore(.reading)
            query.merchantID = try await store.merchantID(named: merchant)
            let page = try await ListPage.fetch(query.window, id: \.id) { window in
                query.window = window
                return try await store.checks(query)
            }
            try ListOptions.print(page, json: output.json, document: CheckDocument.init, empty: "no checks",
                                  header: ["ID", "CREATED", "STATE", "ACCOUNT", "SERIAL", "AMOUNT", "ISSUED", "PAYEE", "FAILURE"]) {
                [$0.id, Timestamp.format($0.createdAt), $0.state.rawValue, $0.accountID, $0.serial, Dollars.format($0.amount),
                 $0.issueDate.description, $0.payee, $0.failure?.code ?? ($0.voidRequestedAt != nil ? "void requested" : "")]
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(abstract: "Show a check and its full history.")
        @Argument(help: "Check id (chk_…).") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Document: Encodable {
            var check: CheckDocument
            var history: [HistoryDocument]
        }

        func run() async throws {
            let (store, _) = try await store.openStore(.reading)
            let check = try await store.check(id: id)
            let history = try await store.checkHistory(checkID: id)
            if output.json { return try Output.json(Document(check: CheckDocument(check), history: history.map(HistoryDocument.init))) }
            Output.line("\(check.id)  \(check.state)  version \(check.version)")
            Output.line("  serial \(check.serial) on \(check.accountID), \(Dollars.format(check.amount)) issued \(check.issueDate)"
                        + (check.payee.isEmpty ? "" : " to \(check.payee)"))
            if let failure = check.failure { Output.line("  failure \(failure.code): \(failure.message)") }
            if check.voidRequestedAt != nil, check.state != .failed { Output.line("  void requested") }
            Output.line()
            HistoryTable.print(history)
        }
    }

    struct Void: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Void a check.",
            discussion: """
                A check not yet sent is cancelled now (P_FAILED, cancelled). A sent check gets a void record in the next \
                issue file and fails as voided when the bank confirms it. A paid check cannot be voided (exit 5).
                """)
        @Argument(help: "Check id (chk_…).") var id: String
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (store, _) = try await store.openStore()
            let check = try await store.voidCheck(id: id, actor: try await acting.actor(store, .operator, to: "void a check"), source: .operator)
            if output.json { return try Output.json(CheckDocument(check)) }
            Output.line(check.state == .failed ? "\(check.id): cancelled before it was sent"
                        : "\(check.id): void requested; it goes to the bank with the next positive-pay cutoff")
        }
    }

    struct Discrepancies: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "What the bank's files said about checks that contradicts the ledger, noted and never applied.",
            discussion: """
                A record that matched a serial but not the amount or date, a paid record for a voided check or one never sent, \
                a void after a paid: each is a `discrepancy` row in the check's history, with its file and line. Exit 1 when \
                there is one in the period, for a timer that alerts. `metl reconcile` lists the payments' too.
                """)
        @Option(help: "How many days back to list.") var days = 7
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard days > 0 else { throw ValidationError("--days must be at least 1") }
            let (store, _) = try await store.openStore(.reading)
            let found = try await store.discrepancies(since: Date().addingTimeInterval(-Double(days) * 86_400))
                .filter { $0.subject == .check }.map(Reconciliation.Discrepancy.init)
            if output.json {
                try Output.json(found)
            } else {
                let checks = try await store.checks(ids: found.map(\.id))
                Output.table(["AT", "CHECK", "SERIAL", "FILE", "LINE", "WHAT THE BANK SAID"], found.map {
                    [$0.at, $0.id, checks[$0.id]?.serial ?? "-", $0.inboundFileID ?? "-", $0.line.map(String.init) ?? "-", $0.text]
                })
            }
            if !found.isEmpty { throw ExitStatus.findings }
        }
    }

    struct Exceptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Presented items the bank could not match, from its exception files: list, show.",
            subcommands: [ExceptionList.self, ExceptionShow.self], defaultSubcommand: ExceptionList.self)
    }

    struct ExceptionShow: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            commandName: "show", abstract: "An exception: what was presented, why, its default and deadline, where it came from, and each decision with its history.")
        @Argument(help: "Exception id (exc_…).") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Document: Encodable {
            var exception: CheckExceptionDocument
            var decisions: [Decision]
            struct Decision: Encodable {
                var decision: ExceptionDecisionDocument
                var history: [HistoryDocument]
            }
        }

        func run() async throws {
            let (store, settings) = try await store.openStore(.reading)
            let exception = try await store.checkException(id: id)
            var decisions: [Document.Decision] = []
            for decision in try await store.decisions(exceptionID: exception.id) {
                decisions.append(.init(decision: ExceptionDecisionDocument(decision),
                                       history: try await store.decisionHistory(decisionID: decision.id).map(HistoryDocument.init)))
            }
            if output.json { return try Output.json(Document(exception: CheckExceptionDocument(exception), decisions: decisions)) }
            Output.line("\(exception.id)  \(exception.status.rawValue)  \(exception.reason.rawValue)  (bank reference \(exception.bankReference))")
            Output.line("  serial \(exception.serial) on \(exception.accountID), presented \(Dollars.format(exception.presentedAmount)) to "
                        + "\"\(exception.presentedPayee)\"" + (exception.issuedAmount.map { ", issued \(Dollars.format($0))" } ?? ", never issued")
                        + (exception.checkID.map { " as \($0)" } ?? ""))
            let lapsed = exception.deadline <= settings.clock() ? " (passed)" : ""
            Output.line("  default \(exception.defaultDecision.rawValue) at the deadline \(Timestamp.format(exception.deadline))\(lapsed)")
            if case .inboundFile(let inbound, let line) = exception.source {
                Output.line("  from bank file \(inbound)" + (line.map { " line \($0)" } ?? "") + " (metl ingest show \(inbound))")
            } else {
                Output.line("  from \(exception.source.file)")
            }
            if decisions.isEmpty { return Output.line("  no decision made") }
            for decision in decisions {
                Output.line()
                Output.line("decision \(decision.decision.id): \(decision.decision.decision) (\(decision.decision.state))"
                            + (decision.decision.fileID.map { ", in \($0)" } ?? ", not yet sent"))
                HistoryTable.print(try await store.decisionHistory(decisionID: decision.decision.id))
            }
        }
    }

    struct ExceptionList: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            commandName: "list", abstract: "Presented items the bank could not match, a page at a time.",
            discussion: "Each shows what was presented, why it is an exception, the bank's default decision and its deadline.")
        @Option(help: "Only exceptions in this status.") var status: CheckException.Status?
        @Option(help: "Only this merchant's exceptions (id or name).") var merchant: String?
        @OptionGroup var list: ListOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let window = try list.window(prefix: CheckException.idPrefix)
            let (store, _) = try await store.openStore(.reading)
            let merchantID = try await store.merchantID(named: merchant)
            // A few a day: chosen from all of them, as a store would.
            let exceptions = try await store.checkExceptions(merchantID: merchantID, status: status)
            let page = try await ListPage.fetch(window, id: \.id) { window in window.select(exceptions, id: \.id, createdAt: \.createdAt) }
            try ListOptions.print(page, json: output.json, document: CheckExceptionDocument.init, empty: "no exceptions",
                                  header: ["ID", "STATUS", "REASON", "ACCOUNT", "SERIAL", "PRESENTED", "ISSUED", "DEFAULT", "DEADLINE", "CHECK"]) {
                [$0.id, $0.status.rawValue, $0.reason.rawValue, $0.accountID, $0.serial, Dollars.format($0.presentedAmount),
                 $0.issuedAmount.map(Dollars.format) ?? "-", $0.defaultDecision.rawValue, Timestamp.format($0.deadline), $0.checkID ?? "-"]
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration.metl(
            abstract: "Pay or return an exception before its deadline; the decision goes with the next decisions cutoff.",
            discussion: "After the deadline the bank applies its default and a decision is refused (exit 3); a decided one, exit 5.")
        @Argument(help: "Exception id (exc_…).") var exception: String
        @Argument(help: "pay or return.") var decision: String
        @Option(help: "The return reason (required to return).") var reason: String?
        @OptionGroup var acting: OperatorOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let parsed = CheckException.Decision(rawValue: decision) else { throw ValidationError("the decision must be pay or return") }
            let (store, settings) = try await store.openStore()
            let actor = try await acting.actor(store, .operator, to: "decide an exception")
            let made = try await store.decideException(id: exception, decision: parsed, returnReason: reason, actor: actor, source: .operator,
                                                       at: settings.clock())
            if output.json { return try Output.json(ExceptionDecisionDocument(made)) }
            Output.line("\(made.id): \(parsed.rawValue) \(exception) (\(made.state)); it goes to the bank with the next decisions cutoff")
            // Against the deadline: a decision the schedule would send too late must be sent by hand.
            let deadline = try await store.checkException(id: exception).deadline
            let next = settings.schedule.nextCutoff(sending: .decisions, after: settings.clock())
            if let next {
                Output.line("  the next decisions cutoff runs \(Output.localTime(next)) \(TimeZone.current.identifier); "
                            + "the bank's deadline is \(Output.localTime(deadline))")
            }
            if next.map({ $0 >= deadline }) ?? true {
                Output.error("metl: no decisions cutoff is scheduled before the deadline: run metl cutoff --kind decisions now")
            }
        }
    }
}
