import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NACHA
import Payments
import TestSupport
import Testing

/// Hostile request documents against a live server on 127.0.0.1: each refused with a precise
/// answer, and nothing stored.
@Suite("request documents on a live server")
struct RequestDocumentTests {
    /// The payment document as a tree, so a case can duplicate a member at any depth.
    static func document(effectiveDate: String = Requests.effectiveDate) -> [(String, Any)] {
        [("amount", 1000), ("direction", "credit"), ("sec_code", "PPD"), ("description", "PAYROLL"),
         ("effective_date", effectiveDate),
         ("counterparty", [("name", "JANE DOE"), ("routing_number", "121042882"), ("account_number", "12345678"),
                           ("account_type", "checking")] as [(String, Any)]),
         ("metadata", [("invoice", "INV-1"), ("batch", "7")] as [(String, Any)])]
    }

    /// JSON text with members in the given order, duplicates kept; `spell` writes a member name.
    static func render(_ value: Any, spell: (String) -> String = { "\"\($0)\"" }) -> String {
        switch value {
        case let members as [(String, Any)]:
            "{" + members.map { "\(spell($0.0)): \(render($0.1, spell: spell))" }.joined(separator: ", ") + "}"
        case let text as String: "\"\(text)\""
        default: "\(value)"
        }
    }

    /// Duplicates one member of the object at `path` (empty: the top level), inserting the copy at a
    /// random place with another value. Returns the document and the duplicate's path.
    static func duplicating(in members: [(String, Any)], path: [String], random: inout SeededGenerator) -> ([(String, Any)], String) {
        var members = members
        if let first = path.first, let index = members.firstIndex(where: { $0.0 == first }),
           let child = members[index].1 as? [(String, Any)] {
            let (changed, name) = duplicating(in: child, path: Array(path.dropFirst()), random: &random)
            members[index].1 = changed
            return (members, "\(first).\(name)")
        }
        let original = members[Int.random(in: 0..<members.count, using: &random)]
        let value: Any = original.1 is Int ? 99_999_999 : (original.1 is String ? "OTHER" : original.1)
        members.insert((original.0, value), at: Int.random(in: 0...members.count, using: &random))
        return (members, original.0)
    }

    @Test("generated: a member named twice at any depth, plainly or through escapes, is 400 naming its path; nothing is stored")
    func duplicateMembers() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.live) { client in
            var random = SeededGenerator(seed: 20_261_201)
            for round in 0..<120 {
                let path = [[], ["counterparty"], ["metadata"]][round % 3]
                let (document, duplicate) = Self.duplicating(in: Self.document(), path: path, random: &random)
                // Every other case spells the names with \u escapes, which the decoder reads as the same key.
                let escaped = round % 2 == 1
                let body = Self.render(document, spell: { name in
                    escaped ? "\"" + name.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined() + "\"" : "\"\(name)\""
                })
                let answer = try await fixture.post(client, body: body)
                #expect(answer.status == .badRequest, "case \(round): \(body)")
                let errors = answer.json["errors"] as? [[String: Any]]
                #expect(errors?.first?["field"] as? String == duplicate, "case \(round): \(body)")
                #expect(errors?.first?["code"] as? String == "duplicate_key")
            }
            let list = try await fixture.get(client, "/payments")
            #expect((list.json["data"] as? [Any])?.isEmpty == true, "no refused document created a payment")
        }
    }

    @Test("amounts no Int64 holds are 422 naming amount, not 'not JSON'")
    func amountsOutOfRange() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.live) { client in
            for amount in ["9223372036854775808", "-9223372036854775809", "1e400", "12.5", "100000000000000000000000"] {
                let body = APIFixture.paymentBody.replacingOccurrences(of: "125000", with: amount)
                let answer = try await fixture.post(client, body: body)
                #expect(answer.status == .unprocessableContent, "\(amount)")
                let errors = answer.json["errors"] as? [[String: Any]]
                #expect(errors?.map { $0["field"] as? String } == ["amount"], "\(amount)")
                #expect(errors?.first?["code"] as? String == "out_of_range", "\(amount)")
            }
        }
    }

    @Test("effective dates: today up to the horizon are accepted; the past, beyond the horizon and other centuries are 422")
    func effectiveDateBounds() async throws {
        var configuration = APIConfiguration()
        configuration.today = { ACHDate(year: 2026, month: 12, day: 1) }
        let fixture = try await APIFixture(configuration: configuration)
        try await fixture.application.test(.live) { client in
            for date in ["2026-12-01", "2026-12-31"] {
                let answer = try await fixture.post(client, body: Self.render(Self.document(effectiveDate: date)))
                #expect(answer.status == .created, "\(date): \(answer.text)")
            }
            let refused = ["2026-11-30": "in_the_past", "2027-01-01": "too_far_ahead", "9999-12-31": "too_far_ahead",
                           "0001-01-01": "in_the_past", "0248-05-26": "in_the_past", "2126-12-01": "too_far_ahead"]
            for (date, code) in refused {
                let answer = try await fixture.post(client, body: Self.render(Self.document(effectiveDate: date)))
                #expect(answer.status == .unprocessableContent, "\(date)")
                let errors = answer.json["errors"] as? [[String: Any]]
                #expect(errors?.first?["field"] as? String == "effective_date", "\(date)")
                #expect(errors?.first?["code"] as? String == code, "\(date)")
            }
        }
    }

    @Test("metadata with control characters is 422; spaces around names are dropped before they are stored")
    func metadataAndNames() async throws {
        let fixture = try await APIFixture()
        try await fixture.application.test(.live) { client in
            for metadata in [#"{"a\u0000b": "x"}"#, #"{"a": "x\u0000"}"#, #"{"a": "line\nbreak"}"#, #"{"a": "\u001b[31m"}"#, #"{"": "x"}"#] {
                let body = APIFixture.paymentBody.replacingOccurrences(of: #"{"invoice": "INV-1"}"#, with: metadata)
                let answer = try await fixture.post(client, body: body)
                #expect(answer.status == .unprocessableContent, "\(metadata)")
                let field = (answer.json["errors"] as? [[String: Any]])?.first?["field"] as? String
                #expect(field?.hasPrefix("metadata") == true, "\(metadata)")
            }
            let spaced = APIFixture.paymentBody.replacingOccurrences(of: #""JANE DOE""#, with: #""  JANE DOE  ""#)
                .replacingOccurrences(of: #""PAYROLL""#, with: #"" PAYROLL ""#)
            let created = try await fixture.post(client, body: spaced)
            #expect(created.status == .created)
            #expect((created.json["counterparty"] as? [String: Any])?["name"] as? String == "JANE DOE")
            #expect(created.json["description"] as? String == "PAYROLL")
        }
    }
}
