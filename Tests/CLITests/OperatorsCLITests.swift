import Foundation
import Testing
import TestSupport

/// `metl operators` through the real binary: the first admin, who may enrol and change whom, the
/// exit status of a refusal, and a TOTP enrolment printed once.
@Suite struct OperatorsCLITests {
    @Test func theFirstOperatorIsAnAdminAndOnlyAnAdminChangesWhoMayDoWhat() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-operators-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let password = directory + "/password"
        try "correct horse battery\n".write(toFile: password, atomically: true, encoding: .utf8)
        let key = directory + "/secrets.key"
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString().write(toFile: key, atomically: true, encoding: .utf8)
        func metl(_ arguments: String...) throws -> CLI.Result {
            try CLI.run(arguments, environment: ["METL_DATABASE": "\(directory)/metl.sqlite", "METL_SECRETS_KEY_FILE": key, "METL_OPERATOR": "nobody"])
        }
        let notAdmin = try metl("operators", "add", "alice", "--role", "operator", "--password-file", password)
        #expect(notAdmin.status == 10 && notAdmin.stderr.contains("the first operator is an admin"), "\(notAdmin.stderr)")
        #expect(try metl("operators", "list").stdout.contains("no operators: enrol the first admin"))
        #expect(try metl("operators", "add", "root", "--role", "admin,approver", "--password-file", password).status == 0)
        let stranger = try metl("operators", "add", "alice", "--role", "operator", "--password-file", password)
        #expect(stranger.status == 10 && stranger.stderr.contains("nobody is not an operator"), "\(stranger.stderr)")
        #expect(try metl("operators", "add", "alice", "--role", "operator", "--password-file", password, "--operator", "root").status == 0)
        #expect(try metl("operators", "add", "alice", "--role", "operator", "--no-password", "--operator", "root").status == 5, "a taken name")
        #expect(try metl("operators", "add", "bob", "--role", "wizard", "--no-password", "--operator", "root").status == 2)
        let byOperator = try metl("operators", "roles", "root", "auditor", "--operator", "alice")
        #expect(byOperator.status == 10 && byOperator.stderr.contains("needs the admin role"))
        #expect(try metl("operators", "roles", "alice", "operator,approver", "--operator", "root").status == 0)

        let listed = try #require(try metl("operators", "list", "--json").listed)
        #expect(listed.compactMap { $0["name"] as? String } == ["root", "alice"])
        let alice = try #require(listed.first { $0["name"] as? String == "alice" })
        #expect(alice["roles"] as? [String] == ["operator", "approver"] && alice["password"] as? Bool == true && alice["totp"] as? Bool == false)
        #expect(!(try metl("operators", "list", "--json").stdout.contains("$2b$")), "never a hash")

        let enrolled = try metl("operators", "totp", "enroll", "alice", "--operator", "alice")
        #expect(enrolled.status == 0 && enrolled.stdout.hasPrefix("otpauth://totp/metl%3Aalice?secret="), "\(enrolled.stdout)\(enrolled.stderr)")
        #expect(try metl("operators", "show", "alice", "--json").stdout.contains("\"totp\" : true"))
        #expect(try metl("operators", "disable", "alice", "--operator", "root").status == 0)
        let disabled = try metl("operators", "password", "alice", "--password-file", password, "--operator", "alice")
        #expect(disabled.status == 10 && disabled.stderr.contains("operator alice is disabled"))
        #expect(try metl("operators", "enable", "alice", "--operator", "root").status == 0)
        #expect(try metl("operators", "password", "alice", "--password-file", password, "--operator", "alice").status == 0, "one's own password")

        // Who did it, everywhere: each change needs its role and names the operator in the history it writes.
        let asOperator = try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME", "--operator", "alice")
        #expect(asOperator.status == 10 && asOperator.stderr.contains("alice may not add a merchant: it needs the admin role"))
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME", "--operator", "root").status == 0)
        #expect(try metl("merchants", "fund", "acme", "1000000", "--operator", "root").status == 0)
        let document = directory + "/payment.json"
        try #"{"amount": 1000, "direction": "credit", "sec_code": "PPD", "description": "PAYROLL", "effective_date": "\#(Requests.effectiveDate)", "counterparty": {"name": "JANE DOE", "routing_number": "121042882", "account_number": "12345678", "account_type": "checking"}}"#
            .write(toFile: document, atomically: true, encoding: .utf8)
        let refused = try metl("payments", "create", "--merchant", "acme", "--idempotency-key", UUID().uuidString, "--json", document)
        #expect(refused.status == 10, "nobody is not an operator")
        let created = try metl("payments", "create", "--merchant", "acme", "--idempotency-key", UUID().uuidString, "--json", document,
                               "--operator", "alice")
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["id"] as? String)
        let cancelled = try metl("payments", "cancel", id, "--reason", "a mistake", "--operator", "alice")
        #expect(cancelled.status == 0)
        let history = try #require((try JSONSerialization.jsonObject(with: Data(try metl("payments", "show", id, "--json").stdout.utf8))
                                    as? [String: Any])?["history"] as? [[String: Any]])
        #expect(history.map { $0["actor"] as? String } == ["alice", "alice", "alice"], "\(history)")
    }
}
