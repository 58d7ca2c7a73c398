import Testing
@testable import Payments

@Suite struct StateMachineTests {
    static let allowed: Set<String> = [
        "P_CREATED>P_VALIDATED", "P_CREATED>P_FAILED", "P_VALIDATED>P_SUBMITTED_TO_CORE", "P_VALIDATED>P_FAILED",
        "P_SUBMITTED_TO_CORE>P_PROCESSING", "P_SUBMITTED_TO_CORE>P_FAILED", "P_PROCESSING>P_COMPLETED",
        "P_PROCESSING>P_FAILED", "P_COMPLETED>P_FAILED",
    ]

    @Test func everyPairIsAllowedOrRefusedAsSpecified() {
        var checked = 0
        for from in PaymentState.allCases {
            for to in PaymentState.allCases {
                let expected = Self.allowed.contains("\(from)>\(to)")
                #expect(PaymentStateMachine.allows(from: from, to: to) == expected, "\(from) → \(to)")
                if expected {
                    #expect(throws: Never.self) { try PaymentStateMachine.check(paymentID: "pay_x", from: from, to: to) }
                } else {
                    #expect { try PaymentStateMachine.check(paymentID: "pay_x", from: from, to: to) } throws: {
                        ($0 as? PaymentError)?.code == .invalidTransition
                    }
                }
                checked += 1
            }
        }
        #expect(checked == 36)
    }

    @Test func impliedPathsMakeIntermediateStepsExplicit() {
        #expect(PaymentStateMachine.impliedPath(from: .submittedToCore, to: .completed) == [.processing, .completed])
        #expect(PaymentStateMachine.impliedPath(from: .submittedToCore, to: .failed) == [.processing, .failed])
        #expect(PaymentStateMachine.impliedPath(from: .processing, to: .completed) == [.completed])
        #expect(PaymentStateMachine.impliedPath(from: .completed, to: .failed) == [.failed])
        #expect(PaymentStateMachine.impliedPath(from: .completed, to: .processing) == nil)
        #expect(PaymentStateMachine.impliedPath(from: .failed, to: .failed) == nil)
    }

    @Test func stateNames() {
        #expect(PaymentState(name: "validated") == .validated)
        #expect(PaymentState(name: "P_SUBMITTED_TO_CORE") == .submittedToCore)
        #expect(PaymentState(name: "bogus") == nil)
    }
}

@Suite struct CheckStateMachineTests {
    static let allowed: Set<String> = [
        "P_CREATED>P_VALIDATED", "P_CREATED>P_FAILED", "P_VALIDATED>P_SUBMITTED_TO_CORE", "P_VALIDATED>P_FAILED",
        "P_SUBMITTED_TO_CORE>P_PROCESSING", "P_SUBMITTED_TO_CORE>P_FAILED", "P_PROCESSING>P_COMPLETED",
        "P_PROCESSING>P_FAILED",
    ]

    @Test func everyPairIsAllowedOrRefusedAsSpecified() {
        var checked = 0
        for from in PaymentState.allCases {
            for to in PaymentState.allCases {
                let expected = Self.allowed.contains("\(from)>\(to)")
                #expect(CheckStateMachine.table.allows(from: from, to: to) == expected, "\(from) → \(to)")
                if !expected {
                    #expect { try CheckStateMachine.table.check("chk_x", from: from, to: to) } throws: {
                        ($0 as? PaymentError)?.code == .invalidTransition && "\($0)".contains("check chk_x")
                    }
                }
                checked += 1
            }
        }
        #expect(checked == 36)
    }

    @Test func aPaidCheckIsFinalAndLateEventsImplyTheirSteps() {
        let table = CheckStateMachine.table
        #expect(table.impliedPath(from: .submittedToCore, to: .completed) == [.processing, .completed])
        #expect(table.impliedPath(from: .submittedToCore, to: .failed) == [.processing, .failed])
        #expect(table.impliedPath(from: .completed, to: .failed) == nil)
        #expect(table.impliedPath(from: .processing, to: .processing) == nil)
    }
}

@Suite struct BankEventResolutionTests {
    static let event = BankEvent(paymentID: "pay_1", kind: .settled, source: .inboundFile(id: "inb_1", line: nil))

    @Test("a settlement reported after a return is news of nothing; after a rejection or cancel it contradicts the ledger")
    func aSettlementOfAFailedPaymentDependsOnHowItFailed() {
        #expect(Self.event.resolve(from: .failed, failure: "R01") == .nothing, "the batch settled before the entry came back")
        for failure in ["batch_rejected", "cancelled", "file_rejected", nil] {
            guard case .discrepancy(let text) = Self.event.resolve(from: .failed, failure: failure) else {
                Issue.record("settled after \(failure ?? "a failure") should be a discrepancy")
                continue
            }
            #expect(text.contains("settlement of a payment that failed"))
        }
        if case .discrepancy = Self.event.resolve(from: .validated) {} else { Issue.record("never submitted: a discrepancy") }
    }
}
