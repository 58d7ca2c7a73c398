import Foundation
import Payments

/// Operators (admins change, auditors read): enrol, disable and enable, set roles, reset TOTP;
/// and each person's own page: their password and TOTP enrolment.
extension ConsolePages {
    struct OperatorRow { var name: String; var roles: String; var enabled: Bool; var password: Bool; var totp: Bool; var since: String; var roleBoxes: [RoleBox]; var isSelf: Bool }
    struct RoleBox { var role: String; var checked: Bool }

    struct OperatorsModel {
        var operators: [OperatorRow]
        var roles: [RoleBox]
        var canChange: Bool
    }

    func operatorList(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let rows = try await store.operators().map { person in
            OperatorRow(name: person.name, roles: person.roles.sorted().map(\.rawValue).joined(separator: ", "), enabled: person.isEnabled,
                        password: person.passwordHash != nil, totp: person.sealedTOTPSecret != nil, since: Format.time(person.createdAt),
                        roleBoxes: OperatorRole.allCases.map { RoleBox(role: $0.rawValue, checked: person.roles.contains($0)) },
                        isSelf: person.name == request.person?.name)
        }
        let model = OperatorsModel(operators: rows, roles: OperatorRole.allCases.map { RoleBox(role: $0.rawValue, checked: false) },
                                   canChange: request.may(.admin))
        return await render("operators", "Operators", model, request)
    }

    /// The roles a form's checkboxes (`role_admin=on`, …) name.
    private func roles(_ request: ConsoleRequest) throws -> Set<OperatorRole> {
        let roles = Set(OperatorRole.allCases.filter { request.form["role_\($0.rawValue)"] != nil })
        guard !roles.isEmpty else { throw ConsoleError.badRequest("tick at least one role") }
        return roles
    }

    func addOperator(_ request: ConsoleRequest) async throws -> ConsoleReply {
        try await act(request, back: "/console/operators") { person in
            let name = try request.requiredField("name", "the operator's name")
            let password = try request.requiredField("password", "a first password")
            let added = try await store.enroll(name: name, roles: try roles(request), email: request.field("email"), password: password,
                                               by: person, at: request.now)
            return "enrolled \(added.name) as \(added.roles.sorted().map(\.rawValue).joined(separator: ", "))"
        }
    }

    func changeOperator(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let name = try request.parameter("name")
        return try await act(request, back: "/console/operators") { person in
            let action = try request.requiredField("action", "what to change")
            let changed: Operator
            switch action {
            case "disable":
                guard name != person.name else { throw ConsoleError.badRequest("an admin does not disable themselves") }
                changed = try await store.changeOperator(named: name, by: person, at: request.now) { $0.disabledAt = request.now }
                try await console.sessions.endAll(operatorName: name)
            case "enable":
                changed = try await store.changeOperator(named: name, by: person, at: request.now) { $0.disabledAt = nil }
            case "roles":
                let roles = try roles(request)
                changed = try await store.changeOperator(named: name, by: person, at: request.now) { $0.roles = roles }
            case "reset-totp":
                changed = try await store.changeOperator(named: name, by: person, at: request.now) {
                    $0.sealedTOTPSecret = nil
                    $0.lastTOTPStep = nil
                }
                try await console.sessions.endAll(operatorName: name)
            default:
                throw ConsoleError.badRequest("\(action) is not a change an admin makes here")
            }
            return "\(changed.name): \(action) done"
        }
    }

    struct AccountModel {
        var name: String
        var roles: String
        var totp: Bool
        var canEnrol: Bool
        var enrolment: String?
        var secret: String?
    }

    func account(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let person = try request.signedIn
        return await render("account", "Your account", accountModel(person, enrolment: nil), request)
    }

    private func accountModel(_ person: Operator, enrolment: (uri: String, secret: String)?) -> AccountModel {
        AccountModel(name: person.name, roles: person.roles.sorted().map(\.rawValue).joined(separator: ", "),
                     totp: person.sealedTOTPSecret != nil || enrolment != nil, canEnrol: configuration.secrets != nil,
                     enrolment: enrolment?.uri, secret: enrolment?.secret)
    }

    /// Changes the signed-in person's password, the current one confirmed; their other sessions end.
    func changePassword(_ request: ConsoleRequest) async throws -> ConsoleReply {
        try await act(request, back: "/console/account") { person in
            try confirm(person, request.form["current"])
            let new = request.form["new"] ?? ""
            guard new == request.form["repeat"] else { throw ConsoleError.badRequest("the new password and its repetition differ") }
            let hash = try PasswordHash.make(new)
            _ = try await store.changeOperator(named: person.name, by: person, selfAllowed: true, at: request.now) { $0.passwordHash = hash }
            try await console.sessions.endAll(operatorName: person.name, keeping: request.session?.key)
            return "password changed; your other sessions were signed out"
        }
    }

    /// Enrols the signed-in person in TOTP, their password confirmed: the secret is shown on this
    /// answer only, never in an address, and every later sign-in asks for a code.
    func enrolTOTP(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let person = try request.signedIn
        guard let secrets = configuration.secrets else { throw ConsoleError.badRequest("TOTP needs the secrets key on this server") }
        try confirm(person, request.form["password"])
        let secret = TOTP.makeSecret()
        let sealed = try secrets.seal(secret)
        let enrolled = try await store.changeOperator(named: person.name, by: person, selfAllowed: true, at: request.now) {
            $0.sealedTOTPSecret = sealed
            $0.lastTOTPStep = nil
        }
        return await render("account", "Your account",
                            accountModel(enrolled, enrolment: (TOTP.uri(secret: secret, account: person.name), TOTP.base32(secret))), request)
    }

    /// Refuses unless `password` is `person`'s: a change of money or credentials asks for it again.
    func confirm(_ person: Operator, _ password: String?) throws {
        guard let hash = person.passwordHash, PasswordHash.verify(password ?? "", against: hash) else {
            throw PaymentError(.forbidden, "the password of \(person.name) was refused")
        }
    }
}
