import Foundation
import GRDB
import Payments

extension SQLiteStore: WebhookStore {
    public func addWebhookEndpoint(merchantID: String, url: String, eventTypes: [WebhookEventType], secret: String, idempotencyKey: String?,
                                   allowsPrivateAddresses: Bool) async throws -> (endpoint: WebhookEndpoint, secret: String, created: Bool) {
        try await write("adding a webhook endpoint", audit: AuditRecord(action: .endpointChanged, subjects: [merchantID], detail: "added")) { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM merchants WHERE id = ?", arguments: [merchantID]) == true else {
                throw PaymentError(.merchantNotFound, "no merchant \(merchantID)")
            }
            if let idempotencyKey, let row = try Row.fetchOne(db, sql: """
                SELECT \(WebhookEndpoint.columnList) FROM webhook_endpoints WHERE merchant_id = ? AND idempotency_key = ?
                """, arguments: [merchantID, idempotencyKey]) {
                let endpoint = try WebhookEndpoint(row).replayed(url: url, eventTypes: eventTypes, idempotencyKey: idempotencyKey)
                return (endpoint, try Self.currentSecret(db, endpointID: endpoint.id), false)
            }
            let now = Date()
            let endpoint = WebhookEndpoint.new(merchantID: merchantID, url: url, eventTypes: eventTypes,
                                               allowsPrivateAddresses: allowsPrivateAddresses, at: now)
            try db.execute(sql: """
                INSERT INTO webhook_endpoints (id, merchant_id, url, event_types, enabled, idempotency_key, created_at, updated_at, allow_private)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                """, arguments: [endpoint.id, merchantID, url, WebhookEndpoint.storedEventTypes(eventTypes), idempotencyKey,
                                 Self.milliseconds(now), Self.milliseconds(now), allowsPrivateAddresses])
            try db.execute(sql: "INSERT INTO webhook_secrets (endpoint_id, secret, created_at) VALUES (?, ?, ?)",
                           arguments: [endpoint.id, secret, Self.milliseconds(now)])
            return (endpoint, secret, true)
        }
    }

    public func webhookEndpoints(merchantID: String?) async throws -> [WebhookEndpoint] {
        try await read("listing webhook endpoints") { db in
            try Row.fetchAll(db, sql: "SELECT \(WebhookEndpoint.columnList) FROM webhook_endpoints WHERE ?1 IS NULL OR merchant_id = ?1 ORDER BY id",
                             arguments: [merchantID]).map(WebhookEndpoint.init(_:))
        }
    }

    public func setWebhookEndpoint(id: String, merchantID: String?, enabled: Bool, reason: String?) async throws -> WebhookEndpoint {
        try await write("changing a webhook endpoint", audit: AuditRecord(action: .endpointChanged, subjects: [id], detail: (enabled ? "enabled" : "disabled") + (reason.map { ": \($0)" } ?? ""))) { db in
            _ = try Self.webhookEndpoint(db, id: id, merchantID: merchantID)
            // Enabling starts a fresh failure window; disabling records why.
            try db.execute(sql: """
                UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, failing_since = NULL, updated_at = ? WHERE id = ?
                """, arguments: [enabled, WebhookEndpoint.disabledReason(enabling: enabled, given: reason), Self.milliseconds(Date()), id])
            return try Self.webhookEndpoint(db, id: id, merchantID: merchantID)
        }
    }

    public func rotateWebhookSecret(endpointID: String, merchantID: String?, newSecret: String, graceEnds: Date,
                                    idempotencyKey: String?) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try await write("rotating a webhook secret", audit: AuditRecord(action: .endpointChanged, subjects: [endpointID], detail: "secret rotated")) { db in
            let endpoint = try Self.webhookEndpoint(db, id: endpointID, merchantID: merchantID)
            if let idempotencyKey, let earlier = try String.fetchOne(db, sql: """
                SELECT secret FROM webhook_secrets WHERE endpoint_id = ? AND rotation_key = ?
                """, arguments: [endpointID, idempotencyKey]) {
                return (endpoint, earlier)
            }
            let now = Self.milliseconds(Date())
            try db.execute(sql: """
                UPDATE webhook_secrets SET expires_at = ? WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?)
                """, arguments: [Self.milliseconds(graceEnds), endpointID, Self.milliseconds(graceEnds)])
            try db.execute(sql: "INSERT INTO webhook_secrets (endpoint_id, secret, rotation_key, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [endpointID, newSecret, idempotencyKey, now])
            return (endpoint, newSecret)
        }
    }

    public func recordAndClaimWebhookDeliveries(_ results: [DeliveryResult], owner: String, limit: Int, perEndpoint: Int, now: Date,
                                                leaseEnds: Date) async throws -> [WebhookDelivery] {
        try await write("recording and claiming webhook deliveries") { db in
            try Self.record(results, owner: owner, db)
            return try Self.claim(owner: owner, limit: limit, perEndpoint: perEndpoint, now: now, leaseEnds: leaseEnds, db)
        }
    }

    private static func claim(owner: String, limit: Int, perEndpoint: Int, now: Date, leaseEnds: Date,
                              _ db: Database) throws -> [WebhookDelivery] {
        let at = Self.milliseconds(now)
        // Every enabled endpoint with deliveries pending, and its free concurrency slots (leases
        // count whoever holds them). The endpoints come from a loose scan of their queues' index,
        // one seek each, so a claim costs the same however deep any one queue is, and one
        // merchant's backlog never hides another's deliveries.
        let waiting = try Row.fetchAll(db.cachedStatement(sql: """
            WITH RECURSIVE waiting(endpoint_id) AS (
                SELECT MIN(endpoint_id) FROM webhook_deliveries INDEXED BY webhook_deliveries_endpoint_due WHERE status = 'pending'
                UNION ALL
                SELECT (SELECT MIN(endpoint_id) FROM webhook_deliveries INDEXED BY webhook_deliveries_endpoint_due
                        WHERE status = 'pending' AND endpoint_id > waiting.endpoint_id)
                FROM waiting WHERE waiting.endpoint_id IS NOT NULL
            )
            SELECT w.endpoint_id, (SELECT COUNT(*) FROM webhook_deliveries AS l
                                   WHERE l.endpoint_id = w.endpoint_id AND l.lease_owner IS NOT NULL AND l.lease_expires_at > ?1)
            FROM waiting AS w JOIN webhook_endpoints AS e ON e.id = w.endpoint_id AND e.enabled = 1
            """), arguments: [at])
        // The head of each queue: due, unleased, and no earlier version of the payment pending for
        // that endpoint (version order), as many as the endpoint has free slots.
        let head = try db.cachedStatement(sql: """
            SELECT d.id, d.next_attempt_at FROM webhook_deliveries AS d
            WHERE d.endpoint_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2
              AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?2)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries AS earlier
                              WHERE earlier.status = 'pending' AND earlier.endpoint_id = d.endpoint_id
                                AND earlier.subject_id = d.subject_id AND earlier.subject_version < d.subject_version)
            ORDER BY d.next_attempt_at, d.id LIMIT ?3
            """)
        var candidates: [DeliveryClaim.Candidate] = []
        for endpoint in waiting {
            let free = DeliveryClaim.freeSlots(perEndpoint: perEndpoint, leased: endpoint[1])
            guard free > 0 else { continue }
            let rows = try Row.fetchCursor(head, arguments: [endpoint[0] as String, at, min(free, limit)])
            while let row = try rows.next() { candidates.append(DeliveryClaim.Candidate(id: row[0], due: row[1])) }
        }
        let ids = DeliveryClaim.chosen(candidates, limit: limit)
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        try db.cachedStatement(sql: """
            UPDATE webhook_deliveries SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1 WHERE id IN (\(marks))
            """).execute(arguments: StatementArguments([owner, Self.milliseconds(leaseEnds)] as [any DatabaseValueConvertible] + ids.map { $0 as any DatabaseValueConvertible }))
        var endpoints: [String: (WebhookEndpoint, [String])] = [:]
        var byID: [Int64: WebhookDelivery] = [:]
        // The leased deliveries with their events' subjects, one query per kind of subject.
        for (row, subject) in try Self.leasedSubjects(marks: marks, ids: ids, db) {
            let endpointID: String = row["endpoint_id"]
            if endpoints[endpointID] == nil {
                let endpoint = try Self.webhookEndpoint(db, id: endpointID, merchantID: nil)
                let secrets = try String.fetchAll(db.cachedStatement(sql: """
                    SELECT secret FROM webhook_secrets WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC
                    """), arguments: [endpointID, at])
                endpoints[endpointID] = (endpoint, secrets)
            }
            guard let (endpoint, secrets) = endpoints[endpointID] else { continue }
            let type: WebhookEventType = try StoredColumn.decode(row["event_type"], table: "webhook_events", column: "type")
            let id: Int64 = row["delivery_id"]
            byID[id] = WebhookDelivery(
                id: id, event: WebhookEvent(id: row["event_id"], type: type, subject: subject, createdAt: Self.date(row["event_created_at"])),
                endpoint: endpoint, secrets: secrets, attempt: row["attempts"])
        }
        return ids.compactMap { byID[$0] }
    }

    /// The delivery columns every subject query selects, by name.
    private static let leasedDeliveryColumns = """
        d.id AS delivery_id, d.attempts, d.endpoint_id, v.id AS event_id, v.type AS event_type, v.created_at AS event_created_at
        """
    /// Each leased delivery's row (`leasedDeliveryColumns`) and what its event is about: a payment or
    /// a check with the history row announced, or an exception with its decision.
    private static func leasedSubjects(marks: String, ids: [Int64], _ db: Database) throws -> [(Row, WebhookEvent.Subject)] {
        let leased = """
            FROM webhook_deliveries AS d JOIN webhook_events AS v ON v.id = d.event_id
            """
        /// Requests (payments, checks) with the history row each event announces: the request's
        /// columns first, then the history row's after its request column, then the delivery's.
        func requests<Request: StoredModel>(_: Request.Type, from table: String, history: String, requestColumn: String, id: (Request) -> String,
                                            _ subject: @escaping (Request, HistoryEntry) -> WebhookEvent.Subject) throws -> [(Row, WebhookEvent.Subject)] {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Request.columnList(qualifiedBy: "r")), \(HistoryEntry.columnListAfterRequest(qualifiedBy: "h")),
                       \(leasedDeliveryColumns) \(leased)
                JOIN \(history) AS h ON h.\(requestColumn) = v.subject_id AND h.version = v.subject_version
                JOIN \(table) AS r ON r.id = v.subject_id
                WHERE d.id IN (\(marks))
                """), arguments: StatementArguments(ids)).map { row in
                var cells = SQLiteRow(row)
                let request = try Request(stored: &cells)
                return (row, subject(request, try HistoryEntry(requestID: id(request), rest: &cells)))
            }
        }
        var found = try requests(Payment.self, from: "payments", history: "payment_history", requestColumn: "payment_id", id: \.id) {
            .payment($0, $1)
        }
        found += try requests(CheckIssue.self, from: "check_issues", history: "check_history", requestColumn: "check_id", id: \.id) {
            .check($0, $1)
        }
        let exceptions = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(CheckException.columnList(qualifiedBy: "e")), \(leasedDeliveryColumns) \(leased)
            JOIN check_exceptions AS e ON e.id = v.subject_id
            WHERE d.id IN (\(marks))
            """), arguments: StatementArguments(ids))
        if !exceptions.isEmpty {
            let exceptionIDs = Set(exceptions.map { $0[0] as String })
            var decisions: [String: ExceptionDecision] = [:]
            for id in exceptionIDs {
                decisions[id] = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(ExceptionDecision.columnList) FROM check_decisions WHERE exception_id = ? ORDER BY id DESC LIMIT 1
                    """), arguments: [id]).map(ExceptionDecision.init(_:))
            }
            for row in exceptions {
                let exception = try CheckException(row)
                found.append((row, .exception(exception, decisions[exception.id])))
            }
        }
        return found
    }

    public func recordWebhookResults(_ results: [DeliveryResult], owner: String) async throws {
        guard !results.isEmpty else { return }
        try await write("recording webhook attempts") { db in try Self.record(results, owner: owner, db) }
    }

    private static func record(_ results: [DeliveryResult], owner: String, _ db: Database) throws {
        for result in results {
            let attempt = result.attempt
            try db.cachedStatement(sql: """
                INSERT INTO webhook_attempts (delivery_id, event_id, endpoint_id, attempt, started_at, status_code, latency_ms,
                                              error, response_excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [result.deliveryID, attempt.eventID, attempt.endpointID, attempt.attempt,
                                 Self.milliseconds(attempt.startedAt), attempt.statusCode, attempt.latencyMilliseconds,
                                 attempt.error, attempt.responseExcerpt])
            let now = Self.milliseconds(Date())
            let (status, next): (String, Int64?) = switch result.next {
            case .delivered: ("delivered", nil)
            case .retry(let at): ("pending", Self.milliseconds(at))
            case .failed: ("failed", nil)
            case .pause(let at, _): ("pending", Self.milliseconds(at))
            }
            // Only the lease holder moves the delivery on: a worker whose lease expired mid-attempt
            // leaves the outcome to the one that took over (the receiver dedupes on the event id).
            try db.cachedStatement(sql: """
                UPDATE webhook_deliveries SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL,
                    lease_expires_at = NULL, last_status_code = ?, last_error = ?,
                    delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
                WHERE id = ? AND lease_owner = ? AND status = 'pending'
                """).execute(arguments: [status, next, attempt.statusCode, attempt.error, status, now, result.deliveryID, owner])
            switch result.next {
            case .delivered:
                try db.cachedStatement(sql: "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL")
                    .execute(arguments: [attempt.endpointID])
            case .retry, .failed:
                try db.execute(sql: "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?",
                               arguments: [Self.milliseconds(attempt.startedAt), attempt.endpointID])
            case .pause(_, let reason):
                try db.execute(sql: """
                    UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = 1
                    """, arguments: [reason, now, attempt.endpointID])
            }
        }
    }

    public func nextWebhookDue() async throws -> Date? {
        try await read("finding the next webhook delivery") { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(MAX(d.next_attempt_at, COALESCE(d.lease_expires_at, 0))) FROM webhook_deliveries AS d
                JOIN webhook_endpoints AS e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND e.enabled = 1
                  AND d.next_attempt_at < ?
                """, arguments: [LedgerPlanWriter.heldUntilPublished]).map(Self.date)
        }
    }

    public func webhookDeliveries(status: WebhookDeliveryStatus.Status?, window: ListWindow) async throws -> [WebhookDeliveryStatus] {
        try await read("listing webhook deliveries") { db in
            var filter = SQLiteFilter()
            filter.add("d.status = ?", status?.rawValue)
            filter.add("d.created_at >= ?", window.since.map(Self.milliseconds))
            filter.add("d.created_at < ?", window.until.map(Self.milliseconds))
            filter.add(window.newestFirst ? "d.id < ?" : "d.id > ?", window.deliveryRowAfter)
            return try Row.fetchAll(db, sql: """
                SELECT d.*, v.type FROM webhook_deliveries AS d JOIN webhook_events AS v ON v.id = d.event_id
                \(filter.whereClause) ORDER BY d.id \(window.newestFirst ? "DESC" : "ASC") LIMIT \(window.limit)
                """, arguments: filter.arguments).map { row in
                let status: WebhookDeliveryStatus.Status = try StoredColumn.decode(row["status"], table: "webhook_deliveries", column: "status")
                return WebhookDeliveryStatus(
                    row: row["id"], eventID: row["event_id"], eventType: try StoredColumn.decode(row["type"], table: "webhook_events", column: "type"),
                    subjectID: row["subject_id"], endpointID: row["endpoint_id"],
                    status: status, attempts: row["attempts"],
                    nextAttemptAt: status == .pending ? Self.date(row["next_attempt_at"]) : nil,
                    lastStatusCode: row["last_status_code"], lastError: row["last_error"], createdAt: Self.date(row["created_at"]))
            }
        }
    }

    public func webhookDeliveryCount(status: WebhookDeliveryStatus.Status) async throws -> Int {
        try await read("counting webhook deliveries") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_deliveries WHERE status = ?", arguments: [status.rawValue]) ?? 0
        }
    }

    public func webhookAttempts(eventID: String) async throws -> [WebhookAttempt] {
        try await read("listing webhook attempts") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM webhook_events WHERE id = ?", arguments: [eventID]) == true else {
                throw PaymentError(.notFound, "no webhook event \(eventID)")
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM webhook_attempts WHERE event_id = ? ORDER BY id", arguments: [eventID]).map { row in
                WebhookAttempt(eventID: row["event_id"], endpointID: row["endpoint_id"], attempt: row["attempt"],
                               startedAt: Self.date(row["started_at"]), statusCode: row["status_code"],
                               latencyMilliseconds: row["latency_ms"], error: row["error"], responseExcerpt: row["response_excerpt"])
            }
        }
    }

    public func replayWebhookEvent(id: String, endpointID: String?) async throws -> Int {
        try await write("replaying a webhook event", audit: AuditRecord(action: .webhooksReplayed, subjects: [id] + (endpointID.map { [$0] } ?? []))) { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM webhook_events WHERE id = ?", arguments: [id]) == true else {
                throw PaymentError(.notFound, "no webhook event \(id)")
            }
            return try Self.replay(db, eventFilter: "v.id = ?", argument: id, endpointID: endpointID)
        }
    }

    public func replayWebhookEvents(since: Date, endpointID: String?) async throws -> Int {
        try await write("replaying webhook events", audit: AuditRecord(action: .webhooksReplayed, subjects: endpointID.map { [$0] } ?? [], detail: "since \(Timestamp.format(since))")) { db in
            try Self.replay(db, eventFilter: "v.created_at >= ?", argument: Self.milliseconds(since), endpointID: endpointID)
        }
    }

    /// Existing deliveries start over (pending, no attempts, due now); endpoints the event never went to
    /// (added later, or named) get one if they take its type. A replay is a new round of attempts for
    /// the same event id.
    private static func replay(_ db: Database, eventFilter: String, argument: some DatabaseValueConvertible,
                               endpointID: String?) throws -> Int {
        let now = milliseconds(Date())
        let events = try Row.fetchAll(db, sql: "SELECT * FROM webhook_events AS v WHERE \(eventFilter) ORDER BY v.created_at, v.id",
                                      arguments: [argument])
        guard !events.isEmpty else { return 0 }
        let endpoints = try enabledEndpoints(db, merchants: events.map { $0["merchant_id"] as String })
        var count = 0
        let restart = try db.cachedStatement(sql: """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
            WHERE event_id = ? AND (? IS NULL OR endpoint_id = ?)
            """)
        let add = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO webhook_deliveries (event_id, endpoint_id, subject_id, subject_version, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, 'pending', ?, ?)
            """)
        for event in events {
            let id: String = event["id"]
            try restart.execute(arguments: [now, id, endpointID, endpointID])
            count += db.changesCount
            let type: WebhookEventType = try StoredColumn.decode(event["type"], table: "webhook_events", column: "type")
            for endpoint in endpoints[event["merchant_id"] as String] ?? [] where endpoint.takes(type) && (endpointID ?? endpoint.id) == endpoint.id {
                try add.execute(arguments: [id, endpoint.id, event["subject_id"] as String, event["subject_version"] as Int, now, now])
                count += db.changesCount
            }
        }
        return count
    }

    // MARK: Rows


    static func webhookEndpoint(_ db: Database, id: String, merchantID: String?) throws -> WebhookEndpoint {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(WebhookEndpoint.columnList) FROM webhook_endpoints WHERE id = ?1 AND (?2 IS NULL OR merchant_id = ?2)"),
                                         arguments: [id, merchantID]) else {
            throw PaymentError(.notFound, "no webhook endpoint \(id)")
        }
        return try WebhookEndpoint(row)
    }

    static func currentSecret(_ db: Database, endpointID: String) throws -> String {
        try String.fetchOne(db, sql: "SELECT secret FROM webhook_secrets WHERE endpoint_id = ? ORDER BY id DESC LIMIT 1",
                            arguments: [endpointID]) ?? ""
    }
}
