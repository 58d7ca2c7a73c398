import Testing
import TestSupport
@testable import Payments

@Suite struct CSVImportTests {
    static let header = "idempotency_key,amount,direction,sec_code,description,effective_date,counterparty_name,routing_number,account_number,account_type,metadata"

    static func row(_ key: String, amount: String = "1000", name: String = "JANE DOE", routing: String = "121042882") -> String {
        "\(key),\(amount),credit,PPD,PAYROLL,\(Requests.effectiveDate),\(name),\(routing),12345678,checking,\"{\"\"invoice\"\":\"\"A,1\"\"}\""
    }

    @Test func parsesRowsWithQuotedFields() throws {
        let text = [Self.header, Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d"),
                    Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3e", name: "\"DOE, JOHN\"")].joined(separator: "\r\n") + "\r\n"
        let rows = try CSVImport.parse(text, rules: PaymentRules())
        #expect(rows.map(\.line) == [2, 3])
        #expect(rows[0].request.metadata == ["invoice": "A,1"])
        #expect(rows[1].request.counterparty.name == "DOE, JOHN")
    }

    @Test func reportsEveryBadRowByLine() {
        let text = [Self.header,
                    Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d"),
                    Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3e", amount: "12.50"),
                    Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3f", routing: "121042883"),
                    "3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c40,1000,credit",
                    Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d")].joined(separator: "\n")
        #expect {
            try CSVImport.parse(text, rules: PaymentRules())
        } throws: { error in
            let fields = (error as? PaymentError)?.fieldErrors.map(\.field) ?? []
            return fields == ["line 3: amount", "line 4: counterparty.routing_number", "line 5", "line 6: idempotency_key"]
        }
    }

    @Test("read in pieces, split anywhere (inside quotes, between CR and LF, after a BOM), the rows and lines are the same")
    func piecesSplitAnywhereReadTheSame() throws {
        let text = "\u{FEFF}" + [Self.header, Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d"), "",
                                  Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3e", name: "\"DOE, JOHN \"\"J\"\"\"")
                                    .replacingOccurrences(of: "\"\"}", with: "\"\",\r\n\"\"b\"\":\"\"x\"\"}")]
            .joined(separator: "\r\n")
        let whole = try CSVImport.parse(text, rules: PaymentRules())
        #expect(whole.map(\.line) == [2, 4])
        #expect(whole[1].request.counterparty.name == "DOE, JOHN \"J\"")
        #expect(whole[1].request.metadata == ["invoice": "A,1", "b": "x"])
        let bytes = Array(text.utf8)
        for split in 1..<bytes.count {
            var reader = CSVImportReader(rules: PaymentRules())
            let rows = try reader.rows(in: bytes[..<split], final: false) + reader.rows(in: bytes[split...], final: true)
            try reader.check()
            #expect(rows == whole, "split at byte \(split)")
            #expect(reader.rowCount == 2)
        }
    }

    @Test("a bad row is found whichever piece holds it, and the problems listed stop at the limit with a count of the rest")
    func problemsAcrossPiecesAndTheirLimit() throws {
        let bad = (0..<(CSVImportReader.problemLimit + 5)).map { Self.row(String(format: "3f2b8c1e-9a4d-4f6b-8c2d-%012d", $0), amount: "1.5") }
        var reader = CSVImportReader(rules: PaymentRules())
        var rows = try reader.rows(in: Array((Self.header + "\n" + Self.row("3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d") + "\n").utf8), final: false)
        #expect(rows.count == 1 && !reader.hasProblems)
        rows += try reader.rows(in: Array(bad.joined(separator: "\n").utf8), final: true)
        #expect(reader.hasProblems && reader.rowCount == bad.count + 1)
        #expect { try reader.check() } throws: { error in
            let problems = (error as? PaymentError)?.fieldErrors ?? []
            return problems.count == CSVImportReader.problemLimit + 1 && problems.first?.field == "line 3: amount"
                && problems.last?.code == "more_problems" && problems.last?.message.contains("5 more") == true
        }
    }

    @Test func malformedCSVIsAnError() {
        let text = Self.header + "\n" + "3f2b8c1e-9a4d-4f6b-8c2d-1e5f7a9b0c3d,\"unterminated"
        #expect { try CSVImport.parse(text, rules: PaymentRules()) } throws: {
            ($0 as? PaymentError)?.fieldErrors.first?.code == "malformed_csv"
        }
        #expect { try CSVImport.parse("amount,bogus\n1,2", rules: PaymentRules()) } throws: {
            ($0 as? PaymentError)?.fieldErrors.contains { $0.code == "unknown_column" } == true
        }
    }

    @Test("the tokenizer: CRLF or LF, a CR kept unless it ends a line, escapes and newlines inside quotes, blank lines skipped")
    func tokenizerEdges() throws {
        let records = try CSVTokenizer.records("a,b\r\n\"x\"\"y\",\"two\nlines\"\r\n\nc\r,d\r\n,\n\"q\"\r\ne,\r")
        #expect(records.map(\.line) == [1, 2, 5, 6, 7, 8])
        #expect(records.map(\.fields) == [["a", "b"], ["x\"y", "two\nlines"], ["c\r", "d"], ["", ""], ["q"], ["e", "\r"]])
    }

    @Test("the tokenizer's malformed cases name their line", arguments: [
        ("a,b\nc\"d,e", "line 2", "has a quote inside an unquoted field"),
        ("a\n\"x\" ,b", "line 2", "has text after a closing quote"),
        ("a\n\"x\"\ry", "line 2", "has text after a closing quote"),
        ("a\nb,\"open\n\nstill", "line 2", "has an unterminated quoted field"),
    ])
    func tokenizerErrors(_ text: String, line: String, message: String) {
        #expect { try CSVTokenizer.records(text) } throws: { error in
            let error = error as? PaymentError.FieldError
            return error?.field == line && error?.message == message && error?.code == "malformed_csv"
        }
    }
}
