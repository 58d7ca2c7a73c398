import Foundation

extension PaymentError.Code {
    /// The acting operator may not do this (a role missing, disabled), or the credentials were refused.
    public static let forbidden = PaymentError.Code(rawValue: "forbidden")
    /// An operator of that name exists.
    public static let duplicateOperator = PaymentError.Code(rawValue: "duplicate_operator")
}

/// Who may change who may do what, and how a person proves who they are.
extension OperatorStore {
    /// The acting operator named `name`: nil while no operator is enrolled (commands work as before
    /// operators existed); else an enabled operator of that name, or a refusal.
    public func acting(_ name: String) async throws -> Operator? {
        let everyone = try await operators()
        guard !everyone.isEmpty else { return nil }
        guard let person = everyone.first(where: { $0.name == name }) else {
            throw PaymentError(.forbidden, "\(name) is not an operator; act as one with --operator NAME or METL_OPERATOR")
        }
        guard person.isEnabled else { throw PaymentError(.forbidden, "operator \(name) is disabled") }
        return person
    }

    /// Who a command acts as, in the history rows it writes: `cli` while no operator is enrolled (as
    /// before operators existed); else operator `name`, who must be enabled and hold `role`.
    public func actor(named name: String, needing role: OperatorRole, to what: String) async throws -> Actor {
        guard let person = try await acting(name) else { return .cli }
        try Self.require(role, of: person, to: what)
        return person.actor
    }

    /// Enrols a person. The first operator must be an admin, and needs no one's leave; after that
    /// only an enabled admin enrols.
    public func enroll(name: String, roles: Set<OperatorRole>, email: String?, password: String?, by acting: Operator?,
                       at now: Date) async throws -> Operator {
        try Self.checkName(name)
        if try await operators().isEmpty {
            guard roles.contains(.admin) else {
                throw PaymentError(.forbidden, "the first operator is an admin: enrol \(name) with --role admin")
            }
        } else {
            try Self.require(.admin, of: acting, to: "enrol an operator")
        }
        let person = Operator(id: Identifier.make(prefix: Operator.idPrefix, at: now), name: name, roles: roles, email: email,
                              passwordHash: try password.map(PasswordHash.make), sealedTOTPSecret: nil, lastTOTPStep: nil,
                              disabledAt: nil, createdAt: now, updatedAt: now, version: 1)
        let enrolled = "enrolled as \(roles.sorted().map(\.rawValue).joined(separator: ","))" + (password == nil ? "" : "; password set")
        do {
            try await addOperator(person, OperatorChange(operatorID: person.id, version: 1, actor: acting?.actor ?? .cli, change: enrolled, at: now))
        } catch let error as StoreError where error.code == .conflict {
            throw PaymentError(.duplicateOperator, "an operator named \(name) exists")
        }
        return person
    }

    /// Changes operator `name` as `change` says, as an enabled admin (or, when `selfAllowed`, as
    /// that operator), over the version read.
    public func changeOperator(named name: String, by acting: Operator?, selfAllowed: Bool = false, at now: Date,
                               _ change: (inout Operator) throws -> Void) async throws -> Operator {
        var person = try await operatorNamed(name)
        if !(selfAllowed && acting?.id == person.id) { try Self.require(.admin, of: acting, to: "change operator \(name)") }
        let before = person, version = person.version
        try change(&person)
        person.updatedAt = now
        if person.roles.isEmpty { throw PaymentError(.invalidRequest, "an operator holds at least one role") }
        try await updateOperator(person, from: version, OperatorChange(operatorID: person.id, version: version + 1, actor: acting?.actor ?? .cli,
                                                                        change: OperatorChange.describe(from: before, to: person), at: now))
        person.version = version + 1
        return person
    }

    /// The operator named `name`, when `password` is theirs and, once they enrolled TOTP, `code` is
    /// the current one and not used before. Every refusal says the same, so it tells nothing.
    public func authenticate(name: String, password: String, code: String?, secrets: SealedSecret?, at now: Date) async throws -> Operator {
        let refused = PaymentError(.forbidden, "the credentials of \(name) were refused")
        let person: Operator
        do {
            person = try await operatorNamed(name)
        } catch let error as PaymentError where error.code == .notFound {
            // An unknown name is refused like a wrong password; a storage failure stays one.
            throw refused
        }
        guard person.isEnabled, let hash = person.passwordHash, PasswordHash.verify(password, against: hash) else { throw refused }
        guard let sealed = person.sealedTOTPSecret else { return person }
        guard let code, let secrets else { throw refused }
        guard let step = TOTP.matchingStep(code, secret: try secrets.open(sealed), at: now),
              try await takeTOTPStep(operatorID: person.id, step: step) else { throw refused }
        return person
    }

    /// Refuses unless `acting` may act in `role`.
    public static func require(_ role: OperatorRole, of acting: Operator?, to what: String) throws(PaymentError) {
        guard let acting else { throw PaymentError(.forbidden, "only an operator with the \(role.rawValue) role may \(what)") }
        guard acting.may(role) else {
            throw PaymentError(.forbidden, "\(acting.name) may not \(what): it needs the \(role.rawValue) role")
        }
    }

    /// Lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64, and
    /// not a name metl's own actors use (`cli`, `api`, `operator`, `bank-file`, `metl-…`): a history's
    /// actor is never ambiguous.
    static func checkName(_ name: String) throws(PaymentError) {
        guard ![Actor.cli, .api, .operator, .bankFile].map(\.rawValue).contains(name), !name.hasPrefix("metl-") else {
            throw PaymentError(.invalidRequest, "\(name) is the name of one of metl's own actors; choose another")
        }
        let bytes = Array(name.utf8)
        func allowed(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard let first = bytes.first, allowed(first), bytes.count <= 64,
              bytes.allSatisfy({ allowed($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            throw PaymentError(.invalidRequest, "an operator name is 1 to 64 lower-case letters, digits, '.', '_' or '-'")
        }
    }
}
