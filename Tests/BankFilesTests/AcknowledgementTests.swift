import Foundation
import Testing
@testable import BankFiles

@Suite struct AcknowledgementTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference/samples/fedach-ack")

    /// A production-style raw page: 24-byte control block, 52 lines of type + 80 columns, LF.
    static func rawPage(_ lines: [(Character, String)]) -> [UInt8] {
        var page = "        AJ001A01A08052  "
        for index in 0..<52 {
            let (type, text) = index < lines.count ? lines[index] : ("Z", "")
            page += String(type) + text.padding(toLength: 80, withPad: " ", startingAt: 0)
        }
        return Array((page + "\n").utf8)
    }

    static let acceptedWithBatchError: [(Character, String)] = [
        ("1", "          ******  ACKNOWLEDGEMENT OF ACH FILE DEPOSITS  ******"),
        ("2", "SERVICING FRB: FEDERAL RESERVE BANK                    REPORT DATE AND TIME:"),
        ("3", "                                                             11/20/26 15:02:11"),
        ("4", "FILE STATUS: FILE ACCEPTED WITH BATCH LEVEL ERRORS"), ("Z", ""),
        ("5", "IMMEDIATE ORIGIN NAME:  METL DEMO BANK"), ("6", "IMMEDIATE ORIGIN:       1210-4288-2"),
        ("7", "IMMEDIATE DEST:         0910-0001-9"), ("8", "FILE CREATION DATE:     11/20/26"),
        ("9", "FILE CREATION TIME:     14:30"), ("A", "FILE ID MODIFIER:       B"),
        ("B", "FILE PROCESS DATE AND TIME: 11/20/26 14:58"), ("Z", ""),
        ("C", "---------------------COUNT-----------------AMOUNT--------"), ("Z", ""),
        ("D", "    BATCHES:           2  DEBIT:   $        1,500.00"),
        ("E", "ENTRY/ADDENDA:         3  CREDITS: $       12,345.67"), ("Z", ""),
        ("F", "---------------------------------------------------------"), ("Z", ""),
        ("G", "FILE STATUS: FILE ACCEPTED WITH BATCH LEVEL ERRORS"),
        ("H", "                     (NUMBER OF ITEMS REJECTED =          2)"),
        ("I", ""), ("J", ""), ("K", ""), ("L", ""), ("Z", ""),
        ("M", "BATCH NUMBER:  0000002"), ("N", "  ORIGINATING DFI ID:    1210-4288-2"), ("O", "  ORIGINATING DFI NAME:"),
        ("P", "  COMPANY NAME:          METL DEMO INC     COMPANY ID:  1234567890"), ("Q", "  EFFECTIVE ENTRY DATE:  26/11/23"),
        ("R", "---------------------COUNT-----------------AMOUNT--------"), ("Z", ""),
        ("S", "ENTRY/ADDENDA:      2      DEBIT:   $        1,500.00"), ("T", "                           CREDIT:  $            0.00"),
        ("Z", ""), ("U", "---------------------------------------------------------"),
        ("V", "BATCH STATUS:  BATCH REJECTED"), ("Z", ""),
        ("W", "BH232-INVALID ORIGINATING DFI IDENTIFICATION NOT AUTHORIZED TO ORIGINATE"),
        ("X", "ORIGINATING DFI IDENTIFICATION = 121042882 IN BATCH 0000002"),
        ("Y", "************************** END OF ACKNOWLEDGEMENT *************************"),
    ]

    @Test func rawPageWithARejectedBatch() throws {
        let bytes = Self.rawPage(Self.acceptedWithBatchError)
        #expect(bytes.count == 4_237)
        #expect(InboundKind.detect(bytes) == .fedACHAcknowledgement)
        let ack = try FedACHAcknowledgementParser().parse(bytes)
        #expect(ack.fileStatus == .acceptedWithBatchLevelErrors)
        #expect(ack.fileStatus.isAccepted)
        #expect(ack.immediateOrigin == "121042882")
        #expect(ack.immediateDestination == "091000019")
        #expect(ack.fileCreationDate == "261120")
        #expect(ack.fileCreationTime == "1430")
        #expect(ack.fileIDModifier == "B")
        #expect(ack.batchCount == 2 && ack.entryAddendaCount == 3)
        #expect(ack.totalDebit == 150_000 && ack.totalCredit == 1_234_567)
        #expect(ack.itemsRejected == 2)
        #expect(ack.fileMessages.isEmpty)
        let batch = try #require(ack.batches.first)
        #expect(ack.batches.count == 1)
        #expect(batch.batchNumber == 2 && batch.isRejected)
        #expect(batch.companyID == "1234567890" && batch.companyName == "METL DEMO INC")
        #expect(batch.effectiveEntryDate == "261123")
        #expect(batch.entryAddendaCount == 2 && batch.totalDebit == 150_000 && batch.totalCredit == 0)
        #expect(batch.messages.map(\.code) == ["BH232"])
        #expect(batch.messages.first?.detail.contains("121042882") == true)
    }

    @Test func twoPagesAndTheReconstructedLineForm() throws {
        var lines = Self.acceptedWithBatchError
        // Push the batch section onto a second page, after its Z continuation line.
        let split = lines.firstIndex { $0.1.hasPrefix("BATCH NUMBER:") }!
        let second = Array(lines[split...])
        lines = Array(lines[..<split])
        let bytes = Self.rawPage(lines) + Self.rawPage([("Z", "")] + second)
        #expect(bytes.count == 8_474)
        let twoPages = try FedACHAcknowledgementParser().parse(bytes)
        #expect(twoPages.batches.first?.messages.map(\.code) == ["BH232"])
        #expect(twoPages.totalCredit == 1_234_567)

        let reconstructed = Array(("AJ001A01A08052\n" + Self.acceptedWithBatchError.map(\.1).joined(separator: "\n")).utf8)
        let fromLines = try FedACHAcknowledgementParser().parse(reconstructed)
        #expect(fromLines == twoPages)
    }

    @Test func truncatedOrForeignInputIsAnError() {
        var bytes = Self.rawPage(Self.acceptedWithBatchError)
        bytes.removeLast(500)
        #expect(throws: AcknowledgementError.self) { try FedACHAcknowledgementParser().parse(bytes) }
        #expect(throws: AcknowledgementError.self) { try FedACHAcknowledgementParser().parse(Array("hello\n".utf8)) }
        #expect(InboundKind.detect(Array("hello".utf8)) == .unknown)
        #expect(InboundKind.detect(Array("101 091000019 1234567890".utf8)) == .nacha)
        #expect(InboundKind.detect(Array("01,091000019,EXAMPLECO".utf8)) == .bai2)
    }

    /// Extra checks against the reference samples (not the project's fixtures), when shared/ sits beside the clone.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: samples.path), "needs ../shared/reference/samples beside the clone"))
    func referenceSamples() throws {
        let accepted = try FedACHAcknowledgementParser().parse([UInt8](Data(contentsOf: Self.samples.appendingPathComponent("achfahk691000134ain20200512085211052.ack"))))
        #expect(accepted.fileStatus == .acceptedWithNoErrors)
        #expect(accepted.immediateOrigin == "691000134" && accepted.immediateDestination == "091000080")
        #expect(accepted.fileCreationDate == "200512" && accepted.fileCreationTime == "1611" && accepted.fileIDModifier == "A")
        #expect(accepted.batchCount == 5 && accepted.entryAddendaCount == 54)
        #expect(accepted.totalDebit == 16_839_098 && accepted.totalCredit == 3_938_524)

        let rejected = try FedACHAcknowledgementParser().parse([UInt8](Data(contentsOf: Self.samples.appendingPathComponent("file-multi-batch-level-example.ack"))))
        #expect(rejected.fileStatus == .rejectedWithFileLevelErrors)
        #expect(rejected.fileMessages.map(\.code) == ["BH501", "BH501", "BH501", "BH501"])
        #expect(rejected.batches.map(\.batchNumber) == [1, 2, 3, 4])
        #expect(rejected.batches.allSatisfy { $0.isRejected && $0.messages.map(\.code) == ["BH232"] })
        #expect(rejected.batchCount == 4 && rejected.entryAddendaCount == 396)
        #expect(rejected.totalDebit == 3_296_034 && rejected.totalCredit == 8_003_806)
    }
}
