import Foundation
import Payments
import PostgresNIO

/// The webhook outbox on PostgreSQL: deliveries leased and recorded, their attempts, and replays.
extension PostgresStore {
    public func recordAndClaimWebhookDeliveries(_ results: [DeliveryResult], owner: String, limit: Int, perEndpoint: Int, now: Date,
                                                leaseEnds: Date) async throws -> [WebhookDelivery] {
        try await transaction("recording and claiming webhook deliveries") { session in
            try await Self.record(results, owner: owner, session)
            return try await Self.claim(owner: owner, limit: limit, perEndpoint: perEndpoint, now: now, leaseEnds: leaseEnds, session)
        }
    }

    /// Claims from every enabled endpoint with work that no other worker is claiming from right now:
    /// each endpoint's row is locked with SKIP LOCKED, so two workers never count one endpoint's free
    /// slots at once (its concurrency limit holds across workers) and neither waits for the other.
    private static func claim(owner: String, limit: Int, perEndpoint: Int, now: Date, leaseEnds: Date,
                              _ session: Session) async throws -> [WebhookDelivery] {
        let at = milliseconds(now)
        // The endpoints with deliveries pending, by a loose scan of their queues' index (one seek
        // each), so a claim costs the same however deep any one queue is.
        let endpointIDs = try await session.rows("""
            WITH RECURSIVE waiting(endpoint_id) AS (
                (SELECT endpoint_id FROM webhook_deliveries WHERE status = 'pending' ORDER BY endpoint_id LIMIT 1)
                UNION ALL
                SELECT (SELECT d.endpoint_id FROM webhook_deliveries AS d
                        WHERE d.status = 'pending' AND d.endpoint_id > w.endpoint_id ORDER BY d.endpoint_id LIMIT 1)
                FROM waiting AS w WHERE w.endpoint_id IS NOT NULL
            )
            SELECT e.id FROM waiting AS w JOIN webhook_endpoints AS e ON e.id = w.endpoint_id AND e.enabled
            ORDER BY e.id FOR UPDATE OF e SKIP LOCKED
            """).map { try $0.decode(String.self) }
        var candidates: [DeliveryClaim.Candidate] = []
        for endpointID in endpointIDs {
            let leased = try await session.value("""
                SELECT COUNT(*) FROM webhook_deliveries
                WHERE endpoint_id = \(endpointID) AND lease_owner IS NOT NULL AND lease_expires_at > \(at)
                """, as: Int.self) ?? 0
            let free = DeliveryClaim.freeSlots(perEndpoint: perEndpoint, leased: leased)
            guard free > 0 else { continue }
            // The head of the queue: due, unleased, and no earlier version of the payment pending for
            // that endpoint (version order), as many as the endpoint has free slots.
            for row in try await session.rows("""
                SELECT d.id, d.next_attempt_at FROM webhook_deliveries AS d
                WHERE d.endpoint_id = \(endpointID) AND d.status = 'pending' AND d.next_attempt_at <= \(at)
                  AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= \(at))
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries AS earlier
                                  WHERE earlier.status = 'pending' AND earlier.endpoint_id = d.endpoint_id
                                    AND earlier.subject_id = d.subject_id AND earlier.subject_version < d.subject_version)
                ORDER BY d.next_attempt_at, d.id LIMIT \(min(free, limit))
                """) {
                let (id, due) = try row.decode((Int64, Int64).self)
                candidates.append(DeliveryClaim.Candidate(id: id, due: due))
            }
        }
        let ids = DeliveryClaim.chosen(candidates, limit: limit)
        guard !ids.isEmpty else { return [] }
        try await session.count("""
            UPDATE webhook_deliveries SET lease_owner = \(owner), lease_expires_at = \(milliseconds(leaseEnds)), attempts = attempts + 1
            WHERE id = ANY(\(ids))
            """)
        var endpoints: [String: (WebhookEndpoint, [String])] = [:]
        var byID: [Int64: WebhookDelivery] = [:]
        // The leased deliveries with their events' subjects, one query per kind of subject.
        for leased in try await leasedSubjects(ids, session) {
            let endpointID = leased.endpointID
            if endpoints[endpointID] == nil {
                let endpoint = try await webhookEndpoint(session, id: endpointID, merchantID: nil)
                let secrets = try await session.rows("""
                    SELECT secret FROM webhook_secrets WHERE endpoint_id = \(endpointID) AND (expires_at IS NULL OR expires_at > \(at))
                    ORDER BY id DESC
                    """).map { try $0.decode(String.self) }
                endpoints[endpointID] = (endpoint, secrets)
            }
            guard let (endpoint, secrets) = endpoints[endpointID] else { continue }
            let type: WebhookEventType = try StoredColumn.decode(leased.type, table: "webhook_events", column: "type")
            byID[leased.id] = WebhookDelivery(
                id: leased.id,
                event: WebhookEvent(id: leased.eventID, type: type, subject: leased.subject, createdAt: date(leased.eventCreatedAt)),
                endpoint: endpoint, secrets: secrets, attempt: leased.attempts)
        }
        return ids.compactMap { byID[$0] }
    }

    /// A leased delivery as its subject's query reads it.
    private struct LeasedDelivery {
        var id: Int64
        var attempts: Int
        var endpointID: String
        var eventID: String
        var type: String
        var eventCreatedAt: Int64
        var subject: WebhookEvent.Subject

        var subjectID: String {
            switch subject {
            case .payment(let payment, _): payment.id
            case .check(let check, _): check.id
            case .exception(let exception, _): exception.id
            }
        }
    }

    /// The delivery columns every subject query selects after the subject's own.
    private static let leasedDeliveryColumns = "d.id, d.attempts, d.endpoint_id, v.id, v.type, v.created_at"

    /// Each leased delivery with what its event is about: a payment or a check with the history row
    /// announced, or an exception with its decision.
    private static func leasedSubjects(_ ids: [Int64], _ session: Session) async throws -> [LeasedDelivery] {
        func delivery(_ cells: inout Cells, _ subject: (inout Cells) throws -> WebhookEvent.Subject) throws -> LeasedDelivery {
            let id: Int64 = try cells.next(), attempts: Int = try cells.next(), endpointID: String = try cells.next()
            let eventID: String = try cells.next(), type: String = try cells.next(), createdAt: Int64 = try cells.next()
            return LeasedDelivery(id: id, attempts: attempts, endpointID: endpointID, eventID: eventID, type: type,
                                  eventCreatedAt: createdAt, subject: try subject(&cells))
        }
        /// Requests (payments, checks) with the history row each event announces: the request's columns,
        /// the delivery's, then the history row's.
        func requests(_ columns: String, from table: String, history: String, requestColumn: String,
                      _ subject: (inout Cells) throws -> (HistoryEntry) -> WebhookEvent.Subject) async throws -> [LeasedDelivery] {
            try await session.rows("""
                SELECT \(unescaped: columns), \(unescaped: leasedDeliveryColumns), h.\(unescaped: requestColumn), \(unescaped: HistoryEntry.columnListAfterRequest(qualifiedBy: "h"))
                FROM webhook_deliveries AS d JOIN webhook_events AS v ON v.id = d.event_id
                JOIN \(unescaped: history) AS h ON h.\(unescaped: requestColumn) = v.subject_id AND h.version = v.subject_version
                JOIN \(unescaped: table) AS r ON r.id = v.subject_id
                WHERE d.id = ANY(\(ids))
                """).map { row in
                var cells = Cells(row)
                let make = try subject(&cells)
                return try delivery(&cells) { cells in make(try HistoryEntry(stored: &cells)) }
            }
        }
        var found = try await requests(Payment.columnList(qualifiedBy: "r"), from: "payments", history: "payment_history",
                                       requestColumn: "payment_id") { cells in
            let payment = try Payment(stored: &cells)
            return { .payment(payment, $0) }
        }
        found += try await requests(CheckIssue.columnList(qualifiedBy: "r"), from: "check_issues", history: "check_history",
                                    requestColumn: "check_id") { cells in
            let check = try CheckIssue(stored: &cells)
            return { .check(check, $0) }
        }
        var pending: [LeasedDelivery] = []
        for row in try await session.rows("""
            SELECT \(unescaped: CheckException.columnList(qualifiedBy: "e")), \(unescaped: leasedDeliveryColumns)
            FROM webhook_deliveries AS d JOIN webhook_events AS v ON v.id = d.event_id
            JOIN check_exceptions AS e ON e.id = v.subject_id
            WHERE d.id = ANY(\(ids))
            """) {
            var cells = Cells(row)
            let exception = try CheckException(stored: &cells)
            pending.append(try delivery(&cells) { _ in .exception(exception, nil) })
        }
        guard !pending.isEmpty else { return found }
        // The company's decision on each exception, if it made one (at most one: a decided exception takes no other).
        var decisions: [String: ExceptionDecision] = [:]
        for row in try await session.rows("""
            SELECT DISTINCT ON (exception_id) \(unescaped: ExceptionDecision.columnList) FROM check_decisions
            WHERE exception_id = ANY(\(Array(Set(pending.map(\.subjectID))))) ORDER BY exception_id, id DESC
            """) {
            let decision = try ExceptionDecision(row)
            decisions[decision.exceptionID] = decision
        }
        for var leased in pending {
            if case .exception(let exception, _) = leased.subject { leased.subject = .exception(exception, decisions[exception.id]) }
            found.append(leased)
        }
        return found
    }

    public func recordWebhookResults(_ results: [DeliveryResult], owner: String) async throws {
        guard !results.isEmpty else { return }
        try await transaction("recording webhook attempts") { session in try await Self.record(results, owner: owner, session) }
    }

    /// What an attempt's outcome does to its endpoint.
    private enum EndpointEffect: Equatable {
        case recovered
        case failing(since: Int64)
        case paused(reason: String)

        /// Whether applying `self` right after `previous` changes nothing `previous` did not.
        func repeats(_ previous: EndpointEffect?) -> Bool {
            switch (previous, self) {
            case (.recovered, .recovered), (.failing, .failing), (.paused, .paused): true
            default: false
            }
        }
    }

    /// Records a round's attempts, moves each delivery on (only where `owner` still holds its lease:
    /// a worker whose lease expired mid-attempt leaves the outcome to the one that took over), and
    /// applies each outcome to its endpoint in order. Attempts and deliveries are one statement each.
    private static func record(_ results: [DeliveryResult], owner: String, _ session: Session) async throws {
        guard !results.isEmpty else { return }
        let attempts = results.map(\.attempt)
        try await session.insert(into: "webhook_attempts", rows: results.count) { columns in
            columns.int("delivery_id", results.map(\.deliveryID))
            columns.text("event_id", attempts.map(\.eventID))
            columns.text("endpoint_id", attempts.map(\.endpointID))
            columns.int("attempt", attempts.map { Int64($0.attempt) })
            columns.int("started_at", attempts.map { milliseconds($0.startedAt) })
            columns.int("status_code", attempts.map { $0.statusCode.map(Int64.init) })
            columns.int("latency_ms", attempts.map { Int64($0.latencyMilliseconds) })
            columns.text("error", attempts.map(\.error))
            columns.text("response_excerpt", attempts.map(\.responseExcerpt))
        }
        let now = milliseconds(Date())
        let moves: [(status: String, next: Int64?)] = results.map { result in
            switch result.next {
            case .delivered: ("delivered", nil)
            case .retry(let at): ("pending", milliseconds(at))
            case .failed: ("failed", nil)
            case .pause(let at, _): ("pending", milliseconds(at))
            }
        }
        var columns = UnnestColumns()
        columns.int("id", results.map(\.deliveryID))
        columns.text("status", moves.map(\.status))
        columns.int("next_attempt_at", moves.map(\.next))
        columns.int("status_code", attempts.map { $0.statusCode.map(Int64.init) })
        columns.text("error", attempts.map(\.error))
        let ownerParameter = columns.scalar(owner)
        let nowParameter = columns.scalar(now)
        try await session.count(columns.query("""
            UPDATE webhook_deliveries AS d SET status = u.status, next_attempt_at = COALESCE(u.next_attempt_at, d.next_attempt_at),
                lease_owner = NULL, lease_expires_at = NULL, last_status_code = u.status_code, last_error = u.error,
                delivered_at = CASE WHEN u.status = 'delivered' THEN \(nowParameter) ELSE d.delivered_at END
            FROM \(columns.unnest(as: "u"))
            WHERE d.id = u.id AND d.lease_owner = \(ownerParameter) AND d.status = 'pending'
            """))
        // Endpoints in order of their outcomes; an outcome that repeats the endpoint's previous one changes nothing.
        var previous: [String: EndpointEffect] = [:]
        for result in results {
            let attempt = result.attempt
            let effect: EndpointEffect = switch result.next {
            case .delivered: .recovered
            case .retry, .failed: .failing(since: milliseconds(attempt.startedAt))
            case .pause(_, let reason): .paused(reason: reason)
            }
            defer { previous[attempt.endpointID] = effect }
            guard !effect.repeats(previous[attempt.endpointID]) else { continue }
            switch effect {
            case .recovered:
                try await session.count("""
                    UPDATE webhook_endpoints SET failing_since = NULL WHERE id = \(attempt.endpointID) AND failing_since IS NOT NULL
                    """)
            case .failing(let since):
                try await session.count("""
                    UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, \(since)) WHERE id = \(attempt.endpointID)
                    """)
            case .paused(let reason):
                try await session.count("""
                    UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = \(reason), updated_at = \(now)
                    WHERE id = \(attempt.endpointID) AND enabled
                    """)
            }
        }
    }

    public func nextWebhookDue() async throws -> Date? {
        try await read("finding the next webhook delivery") { session in
            try await session.value("""
                SELECT MIN(GREATEST(d.next_attempt_at, COALESCE(d.lease_expires_at, 0))) FROM webhook_deliveries AS d
                JOIN webhook_endpoints AS e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND e.enabled
                  AND d.next_attempt_at < \(PostgresPlanWriter.heldUntilPublished)
                """, as: Int64?.self).flatMap { $0 }.map(Self.date)
        }
    }

    public func webhookDeliveries(status: WebhookDeliveryStatus.Status?, window: ListWindow) async throws -> [WebhookDeliveryStatus] {
        try await read("listing webhook deliveries") { session in
            try await session.rows("""
                SELECT d.id, d.event_id, v.type, d.subject_id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at, d.last_status_code,
                       d.last_error, d.created_at
                FROM webhook_deliveries AS d JOIN webhook_events AS v ON v.id = d.event_id
                WHERE (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue))
                  AND (\(window.sinceMilliseconds)::bigint IS NULL OR d.created_at >= \(window.sinceMilliseconds))
                  AND (\(window.untilMilliseconds)::bigint IS NULL OR d.created_at < \(window.untilMilliseconds))
                  AND (\(window.deliveryRowAfter)::bigint IS NULL OR d.id \(unescaped: window.cursorComparison) \(window.deliveryRowAfter))
                ORDER BY d.id \(unescaped: window.order) LIMIT \(window.limit)
                """).map { row in
                var cells = Cells(row)
                let rowID: Int64 = try cells.next()
                let eventID: String = try cells.next(), type: String = try cells.next(), subjectID: String = try cells.next()
                let endpointID: String = try cells.next(), statusText: String = try cells.next(), attempts: Int = try cells.next()
                let next: Int64 = try cells.next(), code: Int? = try cells.next(), error: String? = try cells.next()
                let createdAt: Int64 = try cells.next()
                let status: WebhookDeliveryStatus.Status = try StoredColumn.decode(statusText, table: "webhook_deliveries", column: "status")
                return WebhookDeliveryStatus(
                    row: rowID, eventID: eventID, eventType: try StoredColumn.decode(type, table: "webhook_events", column: "type"), subjectID: subjectID,
                    endpointID: endpointID, status: status, attempts: attempts,
                    nextAttemptAt: status == .pending ? Self.date(next) : nil, lastStatusCode: code, lastError: error,
                    createdAt: Self.date(createdAt))
            }
        }
    }

    public func webhookDeliveryCount(status: WebhookDeliveryStatus.Status) async throws -> Int {
        try await read("counting webhook deliveries") { session in
            try await session.value("SELECT COUNT(*) FROM webhook_deliveries WHERE status = \(status.rawValue)", as: Int.self) ?? 0
        }
    }

    public func webhookAttempts(eventID: String) async throws -> [WebhookAttempt] {
        try await read("listing webhook attempts") { session in
            guard try await session.value("SELECT 1 FROM webhook_events WHERE id = \(eventID)", as: Int32.self) != nil else {
                throw PaymentError(.notFound, "no webhook event \(eventID)")
            }
            return try await session.rows("""
                SELECT event_id, endpoint_id, attempt, started_at, status_code, latency_ms, error, response_excerpt
                FROM webhook_attempts WHERE event_id = \(eventID) ORDER BY id
                """).map { row in
                let (event, endpoint, attempt, started, code, latency, error, excerpt) =
                    try row.decode((String, String, Int, Int64, Int?, Int, String?, String?).self)
                return WebhookAttempt(eventID: event, endpointID: endpoint, attempt: attempt, startedAt: Self.date(started),
                                      statusCode: code, latencyMilliseconds: latency, error: error, responseExcerpt: excerpt)
            }
        }
    }

    public func replayWebhookEvent(id: String, endpointID: String?) async throws -> Int {
        try await transaction("replaying a webhook event", audit: AuditRecord(action: .webhooksReplayed, subjects: [id] + (endpointID.map { [$0] } ?? []))) { session in
            let events = try await Self.events(session, "SELECT \(unescaped: Self.eventColumns) FROM webhook_events WHERE id = \(id)")
            guard !events.isEmpty else { throw PaymentError(.notFound, "no webhook event \(id)") }
            return try await Self.replay(events, endpointID: endpointID, session)
        }
    }

    public func replayWebhookEvents(since: Date, endpointID: String?) async throws -> Int {
        try await transaction("replaying webhook events", audit: AuditRecord(action: .webhooksReplayed, subjects: endpointID.map { [$0] } ?? [], detail: "since \(Timestamp.format(since))")) { session in
            let events = try await Self.events(session, """
                SELECT \(unescaped: Self.eventColumns) FROM webhook_events WHERE created_at >= \(Self.milliseconds(since))
                ORDER BY created_at, id
                """)
            return try await Self.replay(events, endpointID: endpointID, session)
        }
    }

    private static let eventColumns = "id, merchant_id, subject_id, subject_version, type"

    private static func events(_ session: Session, _ query: PostgresQuery) async throws
        -> [(id: String, merchantID: String, subjectID: String, version: Int, type: String)] {
        try await session.rows(query).map { row in
            let (id, merchant, payment, version, type) = try row.decode((String, String, String, Int, String).self)
            return (id, merchant, payment, version, type)
        }
    }

    /// Existing deliveries start over (pending, no attempts, due now); endpoints the event never went to
    /// (added later, or named) get one if they take its type. A replay is a new round of attempts for
    /// the same event id.
    private static func replay(_ events: [(id: String, merchantID: String, subjectID: String, version: Int, type: String)],
                               endpointID: String?, _ session: Session) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let now = milliseconds(Date())
        let endpoints = try await enabledEndpoints(session, merchants: events.map(\.merchantID))
        var count = try await session.count("""
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(now), lease_owner = NULL,
                lease_expires_at = NULL
            WHERE event_id = ANY(\(events.map(\.id))) AND (\(endpointID)::text IS NULL OR endpoint_id = \(endpointID))
            """)
        let added = try events.flatMap { event in
            let type: WebhookEventType = try StoredColumn.decode(event.type, table: "webhook_events", column: "type")
            return (endpoints[event.merchantID] ?? []).filter { endpoint in
                endpoint.takes(type) && (endpointID ?? endpoint.id) == endpoint.id
            }.map { (event, $0.id) }
        }
        guard !added.isEmpty else { return count }
        var columns = UnnestColumns()
        columns.text("event_id", added.map(\.0.id))
        columns.text("endpoint_id", added.map(\.1))
        columns.text("subject_id", added.map(\.0.subjectID))
        columns.int("subject_version", added.map { Int64($0.0.version) })
        let at = columns.scalar(now)
        count += try await session.count(columns.query("""
            INSERT INTO webhook_deliveries (event_id, endpoint_id, subject_id, subject_version, status, next_attempt_at, created_at)
            SELECT u.event_id, u.endpoint_id, u.subject_id, u.subject_version, 'pending', \(at), \(at) FROM \(columns.unnest(as: "u"))
            ON CONFLICT (event_id, endpoint_id) DO NOTHING
            """))
        return count
    }
}
