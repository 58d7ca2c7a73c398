import Testing
import TestSupport
@testable import BankFiles

/// Mutated and truncated reports never crash the parsers: each ends in a model or a typed error.
@Suite struct RobustnessTests {
    static func mutations(of seed: [UInt8], count: Int) -> [[UInt8]] {
        var generator = SeededGenerator(seed: 42)
        return (0..<count).map { _ in
            var bytes = seed
            for _ in 0..<Int.random(in: 1...8, using: &generator) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...120, using: &generator)))
                case 2: bytes.insert(contentsOf: [0x2C, 0x2F, 0x0A, 0x38, 0x38][0..<Int.random(in: 1...5, using: &generator)], at: position)
                default: bytes = Array(bytes.prefix(position))
                }
            }
            return bytes
        }
    }

    @Test func bai2ParserSurvivesMutations() {
        var parsed = 0
        for bytes in Self.mutations(of: Array(BAI2Tests.report.utf8), count: 2_000) {
            do {
                _ = try BAI2Parser().parse(bytes)
                parsed += 1
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        #expect(parsed < 2_000)
    }

    @Test func acknowledgementParserSurvivesMutations() {
        let seed = AcknowledgementTests.rawPage(AcknowledgementTests.acceptedWithBatchError)
        let lines = Array(("AJ001A01A08052\n" + AcknowledgementTests.acceptedWithBatchError.map(\.1).joined(separator: "\n")).utf8)
        for bytes in Self.mutations(of: seed, count: 1_000) + Self.mutations(of: lines, count: 1_000) {
            do {
                // Whatever survives mutation still identifies a file: the parser never returns a blank identity.
                let ack = try FedACHAcknowledgementParser().parse(bytes)
                #expect(!ack.immediateOrigin.isEmpty && !ack.fileCreationDate.isEmpty && !ack.fileIDModifier.isEmpty)
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }
}
