import Foundation
/// The merchant fields that end up in every batch header, checked before a merchant is stored.
public enum MerchantProfile {
    /// A new merchant with this profile, validated, its company name upper-cased as NACHA files carry it.
    public static func newMerchant(name: String, companyID: String, companyName: String, at now: Date = Date()) throws(PaymentError) -> Merchant {
        try validate(name: name, companyID: companyID, companyName: companyName)
        return Merchant(id: Identifier.make(prefix: Merchant.idPrefix), name: name, companyID: companyID, companyName: companyName.uppercased(),
                        balance: 0, createdAt: now)
    }

    public static func validate(name: String, companyID: String, companyName: String) throws(PaymentError) {
        var errors: [PaymentError.FieldError] = []
        func printable(_ text: String) -> Bool { text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
        if name.isEmpty || name.count > 64 || !printable(name) {
            errors.append(.init(field: "name", code: "invalid", message: "must be 1 to 64 printable ASCII characters"))
        }
        if name.hasPrefix("mer_") {
            errors.append(.init(field: "name", code: "reserved", message: "must not start with mer_ (ids do)"))
        }
        if companyID.isEmpty || companyID.utf8.count > 10 || !printable(companyID) || companyID.allSatisfy({ $0 == "0" || $0 == " " }) {
            errors.append(.init(field: "company_id", code: "invalid",
                                message: "must be 1 to 10 ASCII characters, not all zeros (usually 1 + EIN)"))
        }
        if companyName.isEmpty || companyName.utf8.count > 16 || !printable(companyName) {
            errors.append(.init(field: "company_name", code: "invalid", message: "must be 1 to 16 printable ASCII characters"))
        }
        if !errors.isEmpty { throw PaymentError(.invalidRequest, "the merchant profile is invalid", fieldErrors: errors) }
    }
}
