import Foundation
import NACHA

/// Intake rules whose limits an operator configures.
public struct PaymentRules: Sendable, Hashable {
    /// The largest single payment accepted, in cents.
    public var maximumAmount: Int64
    public static let defaultMaximumAmount: Int64 = 100_000_000 // $1,000,000.00
    /// How many days ahead of today an effective date may be. A file carries `YYMMDD`, so a date
    /// much further out would be read as another century; no bank takes entries that far ahead anyway.
    public var effectiveDateHorizonDays: Int
    public static let defaultEffectiveDateHorizonDays = 30
    public static let maximumEffectiveDateHorizonDays = 365
    /// The largest same-day payment, in cents: the Same Day ACH per-payment limit.
    public var sameDayMaximumAmount: Int64
    public static let defaultSameDayMaximumAmount: Int64 = 100_000_000 // $1,000,000.00
    /// The bank profiles a request may name; empty when only the single unnamed profile is configured.
    public var profiles: Set<String>

    public init(maximumAmount: Int64 = PaymentRules.defaultMaximumAmount,
                effectiveDateHorizonDays: Int = PaymentRules.defaultEffectiveDateHorizonDays,
                sameDayMaximumAmount: Int64 = PaymentRules.defaultSameDayMaximumAmount, profiles: Set<String> = []) {
        self.maximumAmount = min(maximumAmount, NACHA.maximumEntryAmount)
        self.effectiveDateHorizonDays = max(0, min(effectiveDateHorizonDays, Self.maximumEffectiveDateHorizonDays))
        self.sameDayMaximumAmount = sameDayMaximumAmount
        self.profiles = profiles
    }

    /// Why `account` cannot be a counterparty's account number (a request's, or one a notification of
    /// change corrects to), as a problem code and message; nil when it can.
    public static func accountNumberProblem(_ account: String) -> (code: String, message: String)? {
        if account.isEmpty || account.utf8.count > 17 { return ("invalid_length", "must be 1 to 17 characters") }
        if !account.utf8.allSatisfy({ PaymentRequest.isAccountCharacter($0) }) || !account.utf8.contains(where: { (0x30...0x39).contains($0) }) {
            return ("invalid_character", "may contain only digits, letters and hyphens, with at least one digit")
        }
        return nil
    }

    /// Why a notification of change's corrected details cannot be used for later payments, or nil:
    /// they must pass the rules a payment request's counterparty does (`corrected`), and a corrected
    /// transaction code must be a live checking or savings code.
    public static func correctionProblem(_ corrected: CounterpartyCorrection, transactionCode: TransactionCode?) -> String? {
        if let (_, message) = accountNumberProblem(corrected.correctedAccountNumber) { return "the corrected account number \(message)" }
        if !RoutingNumber.isValid(corrected.correctedRoutingNumber) {
            return "the corrected routing number is not 9 digits with a valid ABA check digit"
        }
        if let code = transactionCode, !(code.account == .checking || code.account == .savings) {
            return "the corrected transaction code \(code.rawValue) is not a checking or savings entry code"
        }
        if corrected.correctedName.isEmpty || corrected.correctedName.utf8.count > 22
            || !corrected.correctedName.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "the corrected name is not 1 to 22 printable characters"
        }
        return nil
    }
}

/// A request that passed every schema and NACHA rule: typed, upper-cased, ready to store.
public struct ValidatedRequest: Sendable, Hashable {
    public var amount: Int64
    public var currency: String
    public var direction: Direction
    public var secCode: StandardEntryClass
    public var description: String
    public var effectiveDate: ACHDate
    public var counterparty: Counterparty
    public var metadata: [String: String]
    public var fingerprint: String
    public var settlement: Settlement
    public var profile: String?
}

extension PaymentRequest {
    /// Checks every field and reports all problems at once. `today` is the bank's calendar day the
    /// effective date is measured from.
    public func validate(rules: PaymentRules, today: ACHDate = .today()) throws(PaymentError) -> ValidatedRequest {
        var errors: [PaymentError.FieldError] = []
        func fail(_ field: String, _ code: String, _ message: String) {
            errors.append(.init(field: field, code: code, message: message))
        }

        if !amountIsWholeCents {
            fail("amount", "out_of_range", "must be a whole number of cents from 1 to \(rules.maximumAmount)")
        } else if amount <= 0 {
            fail("amount", "not_positive", "must be a positive number of cents")
        } else if amount > rules.maximumAmount {
            fail("amount", "over_limit", "exceeds the per-payment limit of \(rules.maximumAmount) cents")
        }
        if currency != "USD" { fail("currency", "unsupported", "must be USD") }
        let direction = Direction(rawValue: direction)
        if direction == nil { fail("direction", "invalid", "must be credit or debit") }
        let sec = StandardEntryClass(rawValue: ASCIIText.uppercased(secCode))
        if ![.ppd, .ccd, .web].contains(sec) { fail("sec_code", "unsupported", "must be PPD, CCD or WEB") }
        let description = checkText(description, field: "description", maximum: 10, fail)
        let effective = ACHDate(iso: effectiveDate)
        let latest = today.adding(days: rules.effectiveDateHorizonDays)
        if let effective {
            // A past date is refused rather than moved: the merchant learns at once, not from a later file.
            if effective < today {
                fail("effective_date", "in_the_past", "must be today (\(today)) or later")
            } else if effective > latest {
                fail("effective_date", "too_far_ahead",
                     "must be at most \(rules.effectiveDateHorizonDays) days ahead (\(latest) at the latest)")
            }
        } else {
            fail("effective_date", "invalid_date", "must be a calendar date YYYY-MM-DD")
        }
        let name = checkText(counterparty.name, field: "counterparty.name", maximum: 22, fail)
        if !RoutingNumber.isValid(counterparty.routingNumber) {
            fail("counterparty.routing_number", "invalid_routing_number",
                 "must be 9 digits with a valid ABA check digit")
        }
        if let (code, message) = PaymentRules.accountNumberProblem(counterparty.accountNumber) {
            fail("counterparty.account_number", code, message)
        }
        let accountType = AccountType(rawValue: counterparty.accountType)
        if accountType == nil { fail("counterparty.account_type", "invalid", "must be checking or savings") }
        errors += Metadata.problems(in: metadata)
        // Same Day ACH: asked for, or implied by an effective date of today; checked, never moved to next day.
        var settles = effective == today ? Settlement.sameDay : .nextDay
        if let settlement {
            if let asked = Settlement(rawValue: settlement) {
                settles = asked
                if asked.asksSameDay, let effective, effective != today {
                    fail("effective_date", "same_day_not_today", "must be today (\(today)) for \(asked.rawValue) settlement")
                }
            } else {
                fail("settlement", "invalid", "must be next_day, same_day or same_day_or_next")
            }
        }
        if settles.asksSameDay, amountIsWholeCents, amount > rules.sameDayMaximumAmount, amount <= rules.maximumAmount {
            fail("amount", "same_day_over_limit",
                 "exceeds the Same Day ACH per-payment limit of \(rules.sameDayMaximumAmount) cents; ask for next_day settlement")
        }
        if let profile, !rules.profiles.contains(profile) {
            fail("profile", "unknown_profile", rules.profiles.isEmpty ? "no bank profiles are configured"
                 : "must be one of \(rules.profiles.sorted().joined(separator: ", "))")
        }

        try requireValid(errors, headline: "the payment request is invalid")
        // Each of these is nil only with a finding about it, so only a broken rule above reaches the throw.
        guard let direction, let effective, let accountType else {
            throw PaymentError(.invalidRequest, "the payment request is invalid", fieldErrors: errors)
        }
        return ValidatedRequest(
            amount: amount, currency: currency, direction: direction, secCode: sec, description: description,
            effectiveDate: effective,
            counterparty: Counterparty(name: name, routingNumber: counterparty.routingNumber,
                                       accountNumber: ASCIIText.uppercased(counterparty.accountNumber), accountType: accountType),
            metadata: metadata, fingerprint: fingerprint, settlement: settles, profile: profile)
    }

    /// NACHA alphanumeric text: printable ASCII, upper-cased, fitting its record field, not blank.
    /// Spaces around the text are dropped (the record pads the field with spaces anyway).
    private func checkText(_ text: String, field: String, maximum: Int,
                           _ fail: (String, String, String) -> Void) -> String {
        let text = ASCIIText.trimmingSpaces(text)
        let upper = ASCIIText.uppercased(text)
        // Blank: only spaces and tabs (the ASCII members of `.whitespaces`), or Unicode spaces.
        let blank = text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
            : text.trimmingCharacters(in: .whitespaces).isEmpty
        if blank {
            fail(field, "required", "must not be blank")
        } else if !text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            fail(field, "invalid_character", "must be printable ASCII (NACHA character set)")
        } else if upper.utf8.count > maximum {
            fail(field, "too_long", "must be at most \(maximum) characters")
        }
        return upper
    }

    static func isAccountCharacter(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D
    }
}
