import Foundation
import Testing
import TestSupport
import Payments

/// The store contract for the audit log: every change set that writes covered rows appends one
/// entry in the same transaction, chained in one order however many write at once, and a row
/// changed behind metl's back is found by verification.
@Suite struct AuditContractTests {
    /// Statements that change a history row behind metl's back, its append-only guard removed first.
    static func tamperHistory(_ implementation: StoreImplementation) -> [String] {
        [implementation.description == "SQLite" ? "DROP TRIGGER payment_history_no_update"
            : "ALTER TABLE payment_history DISABLE TRIGGER payment_history_append_only",
         "UPDATE payment_history SET reason_text = 'nothing to see' WHERE id = (SELECT min(id) FROM payment_history)"]
    }

    @Test(arguments: StoreImplementation.all)
    func everyChangeSetIsOneChainedEntryAndAChangedRowIsFound(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let store = try await database.open()
        #expect(try await store.auditHead() == nil)
        #expect(try await store.verifyAuditLog().holds, "an empty log holds")
        let merchant = try await store.fundedMerchant(1_000_000)
        let payments = try await store.intake((0..<3).map { _ in try Requests.intake(merchant) }).map(\.payment)
        _ = try await store.cancelPayment(id: payments[0].id, actor: .operator, reason: "duplicate")
        let root = try await store.enroll(name: "root", roles: [.admin], email: nil, password: nil, by: nil, at: Date())
        let started = try await store.appendAudit(AuditRecord(actor: .cutoff, action: .jobStarted, detail: "configuration sha256 abc"), at: Date())

        let entries = try await store.auditEntries(after: 0, limit: 100)
        #expect(entries.map(\.action) == [.genesis, .merchantAdded, .funding, .intake, .transition, .operatorChanged, .jobStarted])
        #expect(entries.map(\.sequence) == Array(1...7))
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $1.previousHash == $0.hash })
        #expect(entries.allSatisfy { $0.hash == $0.computedHash })
        #expect(entries[1].subjects == [merchant.id] && entries[1].rowCount == 0)
        #expect(entries[3].subjects == payments.map(\.id) && entries[3].rowCount == 9, "3 × (created, validated rows, reserve)")
        #expect(entries[3].actor == "cli" && entries[4].actor == "operator" && entries[5].subjects == [root.id])
        #expect(started.sequence == 7 && started.rowCount == 0 && started.detail == "configuration sha256 abc")
        let head = try await store.auditHead()
        #expect(head?.sequence == 7 && head?.hash == started.hash)
        #expect(try await store.auditEntries(after: 4, limit: 1).map(\.sequence) == [5])
        let rows = try await store.auditRows(changeSet: entries[3].changeSet)
        #expect(rows.count == 9 && rows.digest == entries[3].rowsDigest)

        let verified = try await store.verifyAuditLog(checkpoint: (entries[3].sequence, entries[3].hash))
        #expect(verified.holds && verified.entries == 7 && verified.headSequence == 7, "\(verified.findings)")
        #expect(try await store.verifyAuditLog(checkpoint: (4, entries[4].hash)).findings.map(\.kind) == [.checkpointMismatch])
        #expect(try await store.verifyAuditLog(checkpoint: (9, AuditEntry.zeroHash)).findings.map(\.kind) == [.truncated])

        for statement in Self.tamperHistory(implementation) { try await database.tamper(statement) }
        let tampered = try await store.verifyAuditLog()
        #expect(tampered.findings.map(\.kind) == [.changedRows] && tampered.findings.first?.sequence == 4, "the intake's first history row: \(tampered.findings)")
    }

    @Test(arguments: StoreImplementation.all)
    func writersRacingEachOtherChainOneEntryEach(_ implementation: StoreImplementation) async throws {
        let database = try await implementation.makeDatabase()
        let merchant = try await database.open().fundedMerchant(100_000_000)
        // Several connections at once, as several instances would be.
        let stores = try await withThrowingTaskGroup(of: (any LedgerStore).self) { group in
            for _ in 0..<4 { group.addTask { try await database.open() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { _ = try await stores[index % stores.count].intake([try Requests.intake(merchant)]) }
            }
            try await group.waitForAll()
        }
        let store = stores[0]
        let verified = try await store.verifyAuditLog(pageSize: 7)
        #expect(verified.holds && verified.entries == 43 && verified.rows == 40 * 3 + 1, "\(verified.findings)")
        #expect(try await store.unauditedRows().isEmpty)
    }
}
