/// Trace sequence numbers: the seven digits after an ODFI's routing prefix in a trace number.
public enum TraceSequence {
    /// Seven digits per ODFI. Wrapping around would reuse traces the 60-day return window may still quote.
    public static let last = 9_999_999

    /// The next free sequence after reserving `count` numbers starting at `next`, or a refusal when
    /// the ODFI has run out.
    public static func reserving(_ count: Int, from next: Int, odfi: Int) throws(PaymentError) -> Int {
        guard count >= 0, next + count - 1 <= last else {
            throw PaymentError(.traceSequenceExhausted, "trace sequence numbers for ODFI \(odfi) are exhausted")
        }
        return next + count
    }
}
