import Foundation
import Testing
import Payments
import TestSupport

/// The list commands through the real binary: a page at a time either way, by creation time and
/// by field, with the cursor each page prints.
@Suite struct ListCLITests {
    @Test func paymentsPageNewestFirstAndFilterByTimeAmountAndFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-list-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["METL_DATABASE": "\(directory)/metl.sqlite", "METL_CLOCK": CLI.demoClock, "TZ": "UTC"]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)
        let all = try #require(try metl("payments", "list", "--json").listed).compactMap { $0["id"] as? String }
        #expect(all.count == 6)

        // Newest first, four at a time: the second page, read with the first's cursor, ends the list.
        let first = try metl("payments", "list", "--newest-first", "--limit", "4", "--json")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let cursor = try #require(page["next_cursor"] as? String)
        let second = try metl("payments", "list", "--newest-first", "--limit", "4", "--after", cursor, "--json")
        let secondPage = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(secondPage["next_cursor"] is NSNull)
        let read = (first.listed ?? []) + (second.listed ?? [])
        #expect(read.compactMap { $0["id"] as? String } == all.reversed())
        // The table says how to read on.
        #expect(try metl("payments", "list", "--limit", "4").stdout.contains("more follow: add --after "))
        // An id works as the cursor too.
        #expect(try metl("payments", "list", "--after", all[4], "--json").listed?.compactMap { $0["id"] as? String } == [all[5]])

        // Created today (UTC here): all of them today, none before, none from a minute on.
        let today = String(Timestamp.format(Date()).prefix(10))
        #expect(try metl("payments", "list", "--since", today, "--until", today, "--json").listed?.count == 6)
        #expect(try metl("payments", "list", "--until", "2026-11-22", "--json").listed?.isEmpty == true)
        #expect(try metl("payments", "list", "--since", Timestamp.format(Date().addingTimeInterval(60)), "--json").listed?.isEmpty == true)

        let amounts = try #require(try metl("payments", "list", "--json").listed).compactMap { $0["amount"] as? Int }.sorted()
        let middle = try metl("payments", "list", "--min-amount", String(amounts[1]), "--max-amount", String(amounts[4]), "--json").listed
        #expect(middle?.count == 4)
        #expect(try metl("payments", "list", "--file", "fil_none", "--json").listed?.isEmpty == true)

        for (arguments, message) in [(["--since", "yesterday"], "--since takes a date"), (["--after", "chk_X"], "--after takes"),
                                     (["--trace", "12"], "--trace takes the 15-digit"), (["--min-amount", "0"], "--min-amount takes")] {
            let refused = try CLI.run(["payments", "list"] + arguments, environment: environment)
            #expect(refused.status == 2, "\(arguments)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    @Test func theOperatorsListsPageToo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-list-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: ["METL_DATABASE": "\(directory)/metl.sqlite"]) }
        for name in ["acme", "globex", "initech"] {
            #expect(try metl("merchants", "add", name, "--company-id", "1234567890", "--company-name", name.uppercased()).status == 0)
            #expect(try metl("merchants", "keys", "create", name).status == 0)
        }
        let newest = try metl("merchants", "list", "--newest-first", "--limit", "2", "--json")
        #expect(newest.listed?.compactMap { $0["name"] as? String } == ["initech", "globex"])
        let cursor = try #require((try JSONSerialization.jsonObject(with: Data(newest.stdout.utf8)) as? [String: Any])?["next_cursor"] as? String)
        #expect(try metl("merchants", "list", "--newest-first", "--after", cursor, "--json").listed?.compactMap { $0["name"] as? String } == ["acme"])
        #expect(try metl("merchants", "list", "--until", "2020-01-01").stdout.contains("no merchants"))
        #expect(try metl("merchants", "keys", "list", "acme", "--json").listed?.count == 1)
        #expect(try metl("checks", "accounts", "list", "--json").listed?.isEmpty == true)
        #expect(try metl("webhooks", "endpoints", "list", "--since", "2020-01-01", "--json").listed?.isEmpty == true)
    }
}
