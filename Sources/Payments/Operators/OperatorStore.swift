import Foundation

/// Storage for operators. Names are unique; a change is written only over the version it read.
public protocol OperatorStore: Sendable {
    /// Records a new operator with the history row of its enrolment; `conflict` when the name is taken.
    func addOperator(_ person: Operator, _ change: OperatorChange) async throws
    /// Every operator, in name order.
    func operators() async throws -> [Operator]
    /// The operator with this name; `notFound` when there is none.
    func operatorNamed(_ name: String) async throws -> Operator
    /// Writes `person` (its roles, email, credentials, disabled time, version + 1) only while the
    /// stored operator is still at `version`, with the history row of the change; otherwise nothing, and `conflict`.
    func updateOperator(_ person: Operator, from version: Int, _ change: OperatorChange) async throws
    /// Every change to an operator, oldest first.
    func operatorChanges(operatorID: String) async throws -> [OperatorChange]
    /// Takes TOTP step `step` for the operator when it is later than the last one taken: true once
    /// for each step, so a code is accepted once however many requests race with it.
    func takeTOTPStep(operatorID: String, step: Int64) async throws -> Bool
}
