import Foundation

/// An outbound file's lifecycle, once for every store: the file's own step (`OutboundFile`), and
/// what it does to the requests the file carries (`LedgerPlanner`, `CheckPlanner`), written
/// together by `OutboundFileStore.recordFileChange` only while the file is still in the status it
/// was read in, planned again otherwise.
extension OutboundFileStore where Self: PaymentStore & CheckStore {
    /// Counts an upload attempt: status `uploading`.
    public func markUploading(fileID: String) async throws -> OutboundFile {
        try await changeFile(fileID) { (file: inout OutboundFile) throws(PaymentError) in try file.startUpload(at: Date()) }
    }

    public func markFailed(fileID: String, reason: String) async throws -> OutboundFile {
        try await changeFile(fileID) { (file: inout OutboundFile) throws(PaymentError) in try file.fail(reason: reason, at: Date()) }
    }

    /// Status `uploaded`, and every request the file carries moves on with a history row naming the
    /// file and the record's line: payments P_VALIDATED → P_SUBMITTED_TO_CORE, issued and voided
    /// checks, and decisions (which count only when the bank had them before their deadline). `now`
    /// is when the bank had the file: what deadlines are judged by.
    public func markUploaded(fileID: String, remotePath: String, actor: Actor, at now: Date) async throws -> OutboundFile {
        try await Replanning.run {
            let read = try await outboundFile(id: fileID)
            var file = read
            try file.confirmUpload(remotePath: remotePath, at: now)
            let bound = try await boundRequests(fileID: file.id)
            let checks = try await fileChecks(fileID: file.id)
            let issued = checks.filter { $0.issueRecord?.fileID == file.id }
                .map { BoundRequest(id: $0.id, merchantID: $0.merchantID, state: $0.state, version: $0.version) }
            let voids = checks.filter { $0.voidRecord?.fileID == file.id }
            let decisions = try await fileDecisions(fileID: file.id)
            var deadlines: [String: Date] = [:]
            for decision in decisions where deadlines[decision.exceptionID] == nil {
                deadlines[decision.exceptionID] = try await checkException(id: decision.exceptionID).deadline
            }
            let endpoints = try await enabledEndpoints(merchants: Set(bound.map(\.merchantID) + checks.map(\.merchantID)
                                                                     + decisions.map(\.merchantID)))
            var ledger = LedgerPlanner(now: file.updatedAt, endpoints: endpoints)
            try ledger.confirmUpload(of: file, bound: bound, actor: actor)
            var planned = CheckPlanner(now: file.updatedAt, endpoints: endpoints)
            try planned.confirmUpload(of: file, issued: issued, voids: voids, actor: actor)
            try planned.confirmUpload(of: file, decisions: decisions, deadlines: deadlines, actor: actor)
            try await recordFileChange(file, from: read.status, ledger: ledger.plan, checks: planned.plan)
            return file
        }
    }

    /// Before upload only: status `cancelled`; its payments and checks are unbound and left as they
    /// were before the file, each with a history row.
    public func cancelFile(fileID: String, actor: Actor, reason: String) async throws -> OutboundFile {
        try await Replanning.run {
            let read = try await outboundFile(id: fileID)
            return try await stop(read, actor: actor, reason: reason, recording: nil, at: Date()) { (file: inout OutboundFile) throws(PaymentError) in
                try file.cancel(reason: reason, at: Date())
            }
        }
    }

    /// A file stopped before upload by `step` (cancelled, rejected, expired), with `approval` when
    /// a decision stopped it: its payments and checks unbound and left as they were before the file,
    /// each with a history row, in one write with the file's change.
    func stop(_ read: OutboundFile, actor: Actor, reason: String, recording approval: Approval?, at now: Date,
              _ step: (inout OutboundFile) throws(PaymentError) -> Void) async throws -> OutboundFile {
        var file = read
        try step(&file)
        var ledger = LedgerPlanner(now: now, endpoints: [:])
        if let approval { ledger.record(approval) }
        ledger.release(try await filePayments(fileID: file.id).map(\.payment), fromCancelled: file, actor: actor, reason: reason)
        var checks = CheckPlanner(now: now, endpoints: [:])
        checks.release(try await fileChecks(fileID: file.id), fromCancelled: file, actor: actor, reason: reason)
        try await recordFileChange(file, from: read.status, ledger: ledger.plan, checks: checks.plan)
        return file
    }

    /// A step of the file alone, nothing it carries changing.
    private func changeFile(_ fileID: String, _ step: (inout OutboundFile) throws(PaymentError) -> Void) async throws -> OutboundFile {
        try await Replanning.run {
            let read = try await outboundFile(id: fileID)
            var file = read
            try step(&file)
            try await recordFileChange(file, from: read.status, ledger: LedgerPlan(), checks: CheckPlan())
            return file
        }
    }
}

extension OutboundFileStore where Self: PaymentStore & CheckStore {
    /// Stops a payment before it reaches the bank: P_FAILED with failure `cancelled` and the reason,
    /// its reserved funds released, one write. A payment in a rendered file that was never sent is
    /// taken out of it: the file is cancelled and its other payments released to the next cutoff,
    /// each with a history row saying so. Refused (`invalidStatus`, `invalidTransition`) once the
    /// file is on its way or at the bank, or the payment is past P_VALIDATED. Cancelling a payment
    /// already cancelled returns it as it is.
    public func cancelPayment(id: String, actor: Actor, reason: String) async throws -> Payment {
        try await Replanning.run {
            let payment = try await payment(id: id)
            if payment.state == .failed, payment.failure?.code == Failure.cancelledCode { return payment }
            let step = TransitionStep(to: .failed, actor: actor, reasonCode: Failure.cancelledCode, reasonText: reason,
                                      failure: Failure(code: Failure.cancelledCode, message: reason))
            guard let fileID = payment.submission?.fileID else {
                var planner = LedgerPlanner(endpoints: try await enabledEndpoints(merchants: [payment.merchantID]))
                let cancelled = try planner.apply([step], to: payment)
                try await persist(planner.plan)
                return cancelled
            }
            let read = try await outboundFile(id: fileID)
            var file = read
            try file.cancel(reason: "payment \(payment.id) cancelled: \(reason)", at: Date())
            let bound = try await filePayments(fileID: file.id).map(\.payment)
            var ledger = LedgerPlanner(now: file.updatedAt, endpoints: try await enabledEndpoints(merchants: Set(bound.map(\.merchantID))))
            ledger.release(bound, fromCancelled: file, actor: actor, reason: "payment \(payment.id) cancelled")
            let cancelled = try ledger.apply([step], to: payment)
            var checks = CheckPlanner(now: file.updatedAt, endpoints: [:])
            checks.release(try await fileChecks(fileID: file.id), fromCancelled: file, actor: actor, reason: "payment \(payment.id) cancelled")
            try await recordFileChange(file, from: read.status, ledger: ledger.plan, checks: checks.plan)
            return cancelled
        }
    }
}
