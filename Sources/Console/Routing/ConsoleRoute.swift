import HTTPTypes
import Payments

/// Every route the console answers and who may use it. The router is built from `all`, each route
/// behind `ConsoleGate`, and a test runs every route for every role and for no session.
public struct ConsoleRoute: Sendable, Hashable, CustomStringConvertible {
    public enum Access: Sendable, Hashable {
        /// No session needed: sign-in and the stylesheet.
        case anyone
        /// A signed-in operator holding one of these roles.
        case roles(Set<OperatorRole>)
    }

    public let method: HTTPRequest.Method
    /// Hummingbird's path syntax: `:id` is a parameter.
    public let path: String
    public let access: Access

    init(_ method: HTTPRequest.Method, _ path: String, _ access: Access) {
        self.method = method
        self.path = path
        self.access = access
    }

    public var description: String { "\(method.rawValue) \(path)" }

    /// Whether a person with `roles` (nil: no session) may use the route.
    public func allows(_ roles: Set<OperatorRole>?) -> Bool {
        switch access {
        case .anyone: true
        case .roles(let allowed): !(roles ?? []).isDisjoint(with: allowed)
        }
    }

    static let everyone: Access = .roles(Set(OperatorRole.allCases))
    /// Whoever may see full account numbers and so the files that hold them: never an auditor.
    static let fileReaders: Access = .roles([.operator, .approver, .admin])
    static let operators: Access = .roles([.operator])
    static let approvers: Access = .roles([.approver])
    static let admins: Access = .roles([.admin])

    public static let stylesheet = ConsoleRoute(.get, "/console/static/console.css", .anyone)
    public static let signInPage = ConsoleRoute(.get, "/console/sign-in", .anyone)
    public static let signIn = ConsoleRoute(.post, "/console/sign-in", .anyone)
    public static let signOut = ConsoleRoute(.post, "/console/sign-out", everyone)
    public static let home = ConsoleRoute(.get, "/console", everyone)
    public static let today = ConsoleRoute(.get, "/console/today", everyone)
    public static let files = ConsoleRoute(.get, "/console/files", everyone)
    public static let file = ConsoleRoute(.get, "/console/files/:id", everyone)
    public static let downloadFile = ConsoleRoute(.get, "/console/files/:id/download", fileReaders)
    public static let retryFile = ConsoleRoute(.post, "/console/files/:id/retry", operators)
    public static let cancelFile = ConsoleRoute(.post, "/console/files/:id/cancel", operators)
    public static let payments = ConsoleRoute(.get, "/console/payments", everyone)
    public static let payment = ConsoleRoute(.get, "/console/payments/:id", everyone)
    public static let cancelPayment = ConsoleRoute(.post, "/console/payments/:id/cancel", operators)
    public static let revealAccount = ConsoleRoute(.post, "/console/payments/:id/reveal", .roles([.approver, .admin]))
    public static let bankFiles = ConsoleRoute(.get, "/console/bank-files", everyone)
    public static let bankFile = ConsoleRoute(.get, "/console/bank-files/:id", everyone)
    public static let dismissBankFile = ConsoleRoute(.post, "/console/bank-files/:id/dismiss", operators)
    public static let positivePay = ConsoleRoute(.get, "/console/positive-pay", everyone)
    public static let decideException = ConsoleRoute(.post, "/console/positive-pay/exceptions/:id/decide", operators)
    public static let approvals = ConsoleRoute(.get, "/console/approvals", everyone)
    public static let approve = ConsoleRoute(.post, "/console/approvals/:id/approve", approvers)
    public static let reject = ConsoleRoute(.post, "/console/approvals/:id/reject", approvers)
    public static let webhooks = ConsoleRoute(.get, "/console/webhooks", everyone)
    public static let replayEvent = ConsoleRoute(.post, "/console/webhooks/events/:id/replay", operators)
    public static let audit = ConsoleRoute(.get, "/console/audit", everyone)
    public static let verifyAudit = ConsoleRoute(.get, "/console/audit/verify", .roles([.auditor, .admin, .operator]))
    public static let operatorList = ConsoleRoute(.get, "/console/operators", .roles([.admin, .auditor]))
    public static let addOperator = ConsoleRoute(.post, "/console/operators", admins)
    public static let changeOperator = ConsoleRoute(.post, "/console/operators/:name/change", admins)
    public static let account = ConsoleRoute(.get, "/console/account", everyone)
    public static let changePassword = ConsoleRoute(.post, "/console/account/password", everyone)
    public static let enrolTOTP = ConsoleRoute(.post, "/console/account/totp", everyone)

    public static let all: [ConsoleRoute] = [
        stylesheet, signInPage, signIn, signOut, home, today, files, file, downloadFile, retryFile, cancelFile, payments, payment,
        cancelPayment, revealAccount, bankFiles, bankFile, dismissBankFile, positivePay, decideException, approvals, approve, reject,
        webhooks, replayEvent, audit, verifyAudit, operatorList, addOperator, changeOperator, account, changePassword, enrolTOTP,
    ]

    /// Any other path under `/console/`: a page saying so, to everyone.
    static let notFound = ConsoleRoute(.get, "/console/**", .anyone)
}
