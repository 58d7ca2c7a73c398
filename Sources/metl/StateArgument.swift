import ArgumentParser
import Payments

extension PaymentState {
    /// A `--state` value (`P_VALIDATED` or `validated`), or a usage error listing the states.
    static func argument(_ text: String) throws -> PaymentState {
        guard let state = PaymentState(name: text) else {
            throw ValidationError("unknown state \(text); one of \(PaymentState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return state
    }
}
