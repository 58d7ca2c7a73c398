import Foundation
import NACHA

/// The check issue document shared by the CLI, CSV import and the HTTP API (snake_case JSON,
/// unknown fields rejected):
/// `{"account_id": "acc_…", "serial": "10001", "amount": 12345, "issue_date": "2026-12-01", "payee": "JANE DOE", "metadata": {}}`.
/// Decoding only notes shape problems; `validate(for:rules:today:)` reports them with every rule
/// the members break, judged against the account.
public struct CheckIssueRequest: Sendable, Hashable, Codable, ShapeChecked {
    public var accountID: String
    public var serial: String
    public var amount: Int64
    /// False when the amount is a JSON number no Int64 holds: reported by name in validation.
    public var amountIsWholeCents = true
    public var issueDate: String
    public var payee: String?
    public var metadata: [String: String]
    /// Members the JSON document had that do not fit (unknown, missing, mistyped).
    var shapeProblems: [PaymentError.FieldError] = []

    public init(accountID: String, serial: String, amount: Int64, issueDate: String, payee: String? = nil,
                metadata: [String: String] = [:]) {
        self.accountID = accountID
        self.serial = serial
        self.amount = amount
        self.issueDate = issueDate
        self.payee = payee
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case accountID = "account_id", serial, amount, issueDate = "issue_date", payee, metadata
    }

    public init(from decoder: any Decoder) throws {
        var fields = try DocumentFields(decoder, CodingKeys.self)
        accountID = fields.required(String.self, .accountID) ?? ""
        serial = fields.required(String.self, .serial) ?? ""
        let amount = fields.wholeNumber(.amount)
        self.amount = amount.value ?? 0
        amountIsWholeCents = amount.representable
        issueDate = fields.required(String.self, .issueDate) ?? ""
        payee = fields.optional(String.self, .payee)
        metadata = fields.optional([String: String].self, .metadata) ?? [:]
        shapeProblems = fields.problems
    }

    public static func decode(json data: Data) throws(PaymentError) -> CheckIssueRequest {
        try RequestDocument.decode(CheckIssueRequest.self, json: data, name: "check document")
    }

    /// Checks every field against the account it is drawn on and reports all problems at once: the
    /// document's shape problems first, then every rule the members that fit break. `account` is
    /// nil when `account_id` names no enrolled account of the merchant; the rules that need the
    /// account are then left for the answer after it is fixed.
    public func validate(for account: CheckAccount?, rules: CheckRules, today: ACHDate = .today()) throws(PaymentError) -> ValidatedCheck {
        var errors: [PaymentError.FieldError] = []
        func fail(_ field: String, _ code: String, _ message: String) {
            errors.append(.init(field: field, code: code, message: message))
        }
        if account == nil { errors.append(CheckAccount.unknownProblem()) }
        if account?.isEnabled == false { errors.append(CheckAccount.disabledProblem()) }
        if serial.isEmpty || serial.utf8.count > 10 || !serial.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            fail("serial", "invalid", "must be 1 to 10 digits")
        }
        let limit = min(rules.maximumAmount, account?.layout.maximumAmount ?? rules.maximumAmount)
        if !amountIsWholeCents {
            fail("amount", "out_of_range", "must be a whole number of cents from 1 to \(limit)")
        } else if amount <= 0 {
            fail("amount", "not_positive", "must be a positive number of cents")
        } else if amount > limit {
            fail("amount", "over_limit", "exceeds the per-check limit of \(limit) cents")
        }
        let issued = ACHDate(iso: issueDate)
        if let issued {
            let latest = today.adding(days: rules.issueDateHorizonDays)
            let stale = today.adding(days: -rules.staleDays)
            if issued > latest {
                fail("issue_date", "too_far_ahead", "must be at most \(rules.issueDateHorizonDays) days ahead (\(latest) at the latest)")
            } else if issued < stale {
                fail("issue_date", "stale_dated", "is more than \(rules.staleDays) days old: the bank would refuse the check as stale-dated")
            }
        } else {
            fail("issue_date", "invalid_date", "must be a calendar date YYYY-MM-DD")
        }
        let payee = ASCIIText.uppercased(ASCIIText.trimmingSpaces(self.payee ?? ""))
        if payee.isEmpty {
            if account?.payeeMatch == true { fail("payee", "required", "is required: the account has payee match") }
        } else if !payee.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            fail("payee", "invalid_character", "must be printable ASCII")
        } else if let account {
            let maximum = account.layout.maximumPayeeLength
            if account.layout == .csv, payee.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") }) {
                fail("payee", "invalid_character", "must not contain a comma or a double quote in the csv layout")
            } else if payee.utf8.count > maximum {
                fail("payee", "too_long", "must be at most \(maximum) characters for the \(account.layout) layout")
            }
        }
        errors += Metadata.problems(in: metadata)
        try requireValid(errors, headline: "the check request is invalid")
        // Each of these is nil only with a finding about it, so only a broken rule above reaches the throw.
        guard let account, let issued else {
            throw PaymentError(.invalidRequest, "the check request is invalid", fieldErrors: errors)
        }
        return ValidatedCheck(accountID: account.id, serial: CheckIssue.matchingSerial(serial), amount: amount, issueDate: issued,
                              payee: payee, metadata: metadata, fingerprint: fingerprint)
    }

    /// What an idempotency key is bound to: the operation (named as the API's route, whichever way
    /// the request came) and the SHA-256 of the canonical form (keys sorted). Equal requests, equal
    /// fingerprints, so one key and one document are one request through the API, the CLI or a CSV.
    public var fingerprint: String {
        SHA256Digest.hex(Array("POST /positive-pay/checks\n\(canonicalDigest)".utf8))
    }

    private var canonicalDigest: String {
        var output: [UInt8] = []
        func member(_ name: String, _ value: String) {
            output.append(contentsOf: name.utf8)
            CanonicalJSON.string(value, into: &output)
        }
        member("{\"account_id\":", accountID)
        output.append(contentsOf: ",\"amount\":\(amount)".utf8)
        member(",\"issue_date\":", issueDate)
        output.append(contentsOf: ",\"metadata\":".utf8)
        CanonicalJSON.object(metadata, into: &output)
        member(",\"payee\":", payee ?? "")
        member(",\"serial\":", serial)
        output.append(UInt8(ascii: "}"))
        return SHA256Digest.hex(output)
    }
}

/// A check request that passed every rule for its account: typed, upper-cased, ready to store.
public struct ValidatedCheck: Sendable, Hashable {
    public var accountID: String
    /// Without leading zeros.
    public var serial: String
    public var amount: Int64
    public var issueDate: ACHDate
    public var payee: String
    public var metadata: [String: String]
    public var fingerprint: String
}
