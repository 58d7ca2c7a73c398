/// The check issues' transition table, over the same `P_*` states as payments:
///
/// | state | meaning |
/// |---|---|
/// | `P_CREATED` | received |
/// | `P_VALIDATED` | account enrolled; serial not live for the account; amount and payee fit; issue date in range |
/// | `P_SUBMITTED_TO_CORE` | the issue file holding it is at the bank |
/// | `P_PROCESSING` | the bank has it on file (confirmation, or listed as outstanding) |
/// | `P_COMPLETED` | paid and matched, or paid as presented where a pay decision accepted it; final (a paid check cannot be voided) |
/// | `P_FAILED` | rejected, voided (void confirmed), cancelled before it was sent, stale-dated, or returned by decision |
public enum CheckStateMachine {
    public static let table = StateTable("check", [
        .created: [.validated, .failed],               // FAILED: not valid
        .validated: [.submittedToCore, .failed],       // FAILED: cancelled before it was sent
        .submittedToCore: [.processing, .failed],      // FAILED: rejected by the bank
        .processing: [.completed, .failed],            // FAILED: voided, stale-dated, returned
        .completed: [],
        .failed: [],
    ])
}
