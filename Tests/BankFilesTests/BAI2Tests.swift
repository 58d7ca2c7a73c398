import Foundation
import Testing
@testable import BankFiles

@Suite struct BAI2Tests {
    /// Our own report: one settlement credit for a debit batch, one settlement debit for a credit
    /// batch (its text continued on an 88), one return, one detail without text, status and summaries.
    static let report = """
        01,121042882,METLDEMO,261124,0600,7,,,2/
        02,METLDEMO,121042882,1,261123,2400,USD,2/
        03,9876543210,USD,010,1000000,,,400,450000,1,0/
        16,165,17999,0,ACH2611230001,1234567890,ACH SETTLEMENT
        88,COLLECTION BATCH 0000002
        16,466,450000,1,ACH2611230002,1234567890,ACH SETTLEMENT, PAYROLL BATCH 0000001
        16,257,125000,S,100000,25000,0,RTN2611230003,121042880000001,ACH RETURN R01
        16,169,1,V,261123,,REF4,,/
        49,2043000,7/
        98,2043000,1,9/
        99,2043000,1,11/
        """

    @Test func parsesGroupsAccountsDetailsAndContinuations() throws {
        let file = try BAI2Parser().parse(Array(Self.report.utf8))
        #expect(file.sender == "121042882" && file.fileID == "7" && file.creationDate == "261124")
        let group = try #require(file.groups.first)
        #expect(group.asOfDate == "261123" && group.status == "1" && group.currency == "USD")
        let account = try #require(group.accounts.first)
        #expect(account.number == "9876543210")
        #expect(account.summaries.map(\.typeCode) == ["010", "400"])
        #expect(account.summaries[1].itemCount == 1 && account.summaries[1].fundsType == .immediate)
        #expect(account.transactions.map(\.typeCode) == ["165", "466", "257", "169"])
        #expect(account.transactions[0].text == "ACH SETTLEMENT COLLECTION BATCH 0000002")
        #expect(account.transactions[0].isCredit)
        #expect(account.transactions[1].text == "ACH SETTLEMENT, PAYROLL BATCH 0000001")
        #expect(!account.transactions[1].isCredit)
        #expect(account.transactions[2].fundsType == .distributed(immediate: 100_000, oneDay: 25_000, twoOrMoreDays: 0))
        #expect(account.transactions[2].customerReference == "121042880000001")
        #expect(account.transactions[3].fundsType == .valueDated(date: "261123", time: ""))
        #expect(account.transactions[3].bankReference == "REF4" && account.transactions[3].text.isEmpty)
    }

    @Test func totalsThatDoNotAddUpAreRefused() {
        for (broken, expected) in [
            ("49,2043000,7/", "49,2042999,7/"), ("49,2043000,7/", "49,2043000,6/"), ("98,2043000,1,9/", "98,2043000,2,9/"),
            ("99,2043000,1,11/", "99,2043000,1,12/"), ("99,2043000,1,11/", "99,2043001,1,11/"),
        ] {
            let text = Self.report.replacingOccurrences(of: broken, with: expected)
            #expect(throws: BAI2Error.self, "\(expected)") { try BAI2Parser().parse(Array(text.utf8)) }
        }
    }

    @Test func truncatedEmptyAndGarbageFilesAreRefused() {
        let lines = Self.report.split(separator: "\n")
        let truncated = lines.dropLast(2).joined(separator: "\n")
        #expect { try BAI2Parser().parse(Array(truncated.utf8)) } throws: { ($0 as? BAI2Error)?.message.contains("98") == true }
        #expect(throws: BAI2Error.self) { try BAI2Parser().parse([]) }
        #expect(throws: BAI2Error.self) { try BAI2Parser().parse(Array("hello, world/".utf8)) }
        #expect(throws: BAI2Error.self) { try BAI2Parser().parse(Array((Self.report + "\n16,165,1,0,,,X").utf8)) }
        let badAmount = Self.report.replacingOccurrences(of: "16,466,450000", with: "16,466,45O000")
        #expect { try BAI2Parser().parse(Array(badAmount.utf8)) } throws: { ($0 as? BAI2Error)?.line == 6 }
    }

    @Test func crlfAndTrailingSpacesAreRead() throws {
        let text = Self.report.split(separator: "\n").map { $0 + "   " }.joined(separator: "\r\n")
        #expect(try BAI2Parser().parse(Array(text.utf8)) == (try BAI2Parser().parse(Array(Self.report.utf8))))
    }

    /// Extra check against the reference sample (not the project's fixtures), when shared/ sits beside the clone.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: AcknowledgementTests.samples.path), "needs ../shared/reference/samples beside the clone"))
    func referenceSample() throws {
        let url = AcknowledgementTests.samples.deletingLastPathComponent().appendingPathComponent("bai2/prior-day-ach-settlement.bai2")
        let file = try BAI2Parser().parse([UInt8](Data(contentsOf: url)))
        let account = try #require(file.groups.first?.accounts.first)
        #expect(account.number == "0001234567")
        #expect(account.summaries.map(\.typeCode) == ["010", "015", "040", "045", "100", "400"])
        #expect(account.transactions.map(\.amount) == [16_839_098, 3_938_524, 12_550, 100_000])
        #expect(account.transactions[2].customerReference == "091000010000042")
    }
}
