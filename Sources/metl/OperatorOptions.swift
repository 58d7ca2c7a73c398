import ArgumentParser
import Foundation
import MetlConfiguration
import Payments

/// Who is acting: `--operator NAME`, else `METL_OPERATOR`, else the login name.
struct OperatorOptions: ParsableArguments {
    @Option(name: .customLong("operator"), help: "Act as this operator (default: $METL_OPERATOR, else the login name).")
    var name: String?

    var actingName: String { name ?? Layers.process.value(nil, "METL_OPERATOR") ?? ProcessInfo.processInfo.userName }

    /// Who the command acts as on `store`: the acting operator, who must hold `role` once any is
    /// enrolled (exit 10 otherwise); `cli` before that.
    func actor(_ store: any LedgerStore, _ role: OperatorRole, to what: String) async throws -> Actor {
        try await store.actor(named: actingName, needing: role, to: what)
    }

    /// `body` as the acting operator (checked as `actor` does): the audit entries of changes that
    /// name no one (a merchant added, a key revoked, an endpoint disabled) name them (`AuditActing`).
    func acting<T>(_ store: any LedgerStore, _ role: OperatorRole, to what: String, _ body: () async throws -> T) async throws -> T {
        try await AuditActing.$actor.withValue(try await actor(store, role, to: what)) { try await body() }
    }
}
