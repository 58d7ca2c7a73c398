import Foundation
import Testing
import TestSupport
import Payments

/// The store contract for operators: the first is an admin, names are unique, changes are written
/// over the version read, a TOTP step is taken once however many race for it.
@Suite struct OperatorContractTests {
    @Test(arguments: StoreImplementation.all)
    func operatorsEnrolChangeAndAuthenticateOnce(_ implementation: StoreImplementation) async throws {
        let store = try await implementation.makeDatabase().open()
        let now = Date()
        #expect(try await store.acting("anyone") == nil, "no operators yet: commands work as before")
        await #expect { _ = try await store.enroll(name: "alice", roles: [.operator], email: nil, password: nil, by: nil, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        let root = try await store.enroll(name: "root", roles: [.admin], email: "root@example.com", password: "correct horse battery", by: nil, at: now)
        await #expect { _ = try await store.enroll(name: "bob", roles: [.approver], email: nil, password: nil, by: nil, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        let alice = try await store.enroll(name: "alice", roles: [.operator], email: nil, password: "alice's long secret", by: root, at: now)
        await #expect { _ = try await store.enroll(name: "carol", roles: [.approver], email: nil, password: nil, by: alice, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        await #expect { _ = try await store.enroll(name: "alice", roles: [.operator], email: nil, password: nil, by: root, at: now) }
            throws: { ($0 as? PaymentError)?.code == .duplicateOperator }
        await #expect { _ = try await store.enroll(name: "Bad Name", roles: [.operator], email: nil, password: nil, by: root, at: now) }
            throws: { ($0 as? PaymentError)?.code == .invalidRequest }
        #expect(try await store.operators().map(\.name) == ["alice", "root"])
        await #expect { try await store.addOperator(root, OperatorChange(operatorID: root.id, version: 1, actor: .cli, change: "again", at: now)) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        let stored = try await store.operatorNamed("root")
        #expect(stored.id == root.id && stored.roles == [.admin] && stored.email == "root@example.com" && stored.version == 1)
        #expect(stored.passwordHash == root.passwordHash && stored.sealedTOTPSecret == nil && stored.isEnabled)
        await #expect { _ = try await store.acting("mallory") } throws: { ($0 as? PaymentError)?.code == .forbidden }

        // Changes: by an admin, over the version read; a stale one is refused.
        let approver = try await store.changeOperator(named: "alice", by: root, at: now) { $0.roles = [.operator, .approver] }
        #expect(approver.version == 2 && approver.roles == [.operator, .approver])
        await #expect { try await store.updateOperator(alice, from: alice.version, OperatorChange(operatorID: alice.id, version: 2, actor: .cli,
                                                                                                  change: "stale", at: now)) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        await #expect { _ = try await store.changeOperator(named: "root", by: alice, at: now) { $0.roles = [.auditor] } }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        let disabled = try await store.changeOperator(named: "alice", by: root, at: now) { $0.disabledAt = now }
        #expect(!disabled.isEnabled && !disabled.may(.operator))
        await #expect { _ = try await store.acting("alice") } throws: { ($0 as? PaymentError)?.code == .forbidden }
        _ = try await store.changeOperator(named: "alice", by: root, at: now) { $0.disabledAt = nil }

        // Credentials: the password, then a TOTP code once enrolled, each code taken once even when racing.
        let secrets = try SealedSecret(keyFile: Array(repeating: 3, count: 32))
        let secret = TOTP.makeSecret()
        _ = try await store.changeOperator(named: "alice", by: root, at: now) { $0.sealedTOTPSecret = try secrets.seal(secret) }
        let code = TOTP.code(secret: secret, step: TOTP.step(at: now))
        await #expect { _ = try await store.authenticate(name: "alice", password: "wrong password!!", code: code, secrets: secrets, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        await #expect { _ = try await store.authenticate(name: "alice", password: "alice's long secret", code: nil, secrets: secrets, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        #expect(try await store.authenticate(name: "alice", password: "alice's long secret", code: code, secrets: secrets, at: now).name == "alice")
        await #expect { _ = try await store.authenticate(name: "alice", password: "alice's long secret", code: code, secrets: secrets, at: now) }
            throws: { ($0 as? PaymentError)?.code == .forbidden }
        let later = TOTP.step(at: now) + 5
        let taken = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { (try? await store.takeTOTPStep(operatorID: alice.id, step: later)) ?? false } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(taken == 1, "one of eight racing uses of a step")
        #expect(try await store.takeTOTPStep(operatorID: alice.id, step: later - 1) == false, "an earlier step after a later one")
        #expect(try await store.authenticate(name: "root", password: "correct horse battery", code: nil, secrets: nil, at: now).name == "root")

        // Every change, with who made it; the refused ones left nothing.
        let history = try await store.operatorChanges(operatorID: alice.id)
        #expect(history.map(\.change) == ["enrolled as operator; password set", "roles operator,approver (were operator)", "disabled", "enabled",
                                           "TOTP enrolled"])
        #expect(history.map(\.version) == [1, 2, 3, 4, 5] && history.allSatisfy { $0.actor == root.actor })
        #expect(try await store.operatorChanges(operatorID: root.id).map(\.actor) == [.cli], "the first admin enrolled before anyone")
    }
}
