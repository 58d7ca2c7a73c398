import Foundation
import Hummingbird
import Payments

/// The query parameters every list endpoint shares (`since`, `until`, `order`, `limit`, `cursor`),
/// read into a `ListWindow`, and the typed readers of the rest, each bad value a field error that
/// `validate()` answers as one 400 problem.
struct ListParameters {
    private let parameters: [String: String]
    private(set) var window: ListWindow
    private var errors: [PaymentError.FieldError] = []

    /// `request`'s parameters for a list of ids starting `prefix`. The route's parameters were
    /// checked before (`QueryParameters`): each appears once and is known.
    init(_ request: Request, configuration: APIConfiguration, prefix: String) {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        self.parameters = parameters
        window = ListWindow(limit: configuration.defaultPageSize)
        if let text = parameters["limit"] {
            if let limit = Int(text), (1...configuration.maximumPageSize).contains(limit) {
                window.limit = limit
            } else {
                errors.append(.init(field: "limit", code: "out_of_range", message: "must be 1 to \(configuration.maximumPageSize)"))
            }
        }
        if let cursor = parameters["cursor"] {
            window.afterID = ListCursor.decode(cursor, prefix: prefix)
            if window.afterID == nil {
                errors.append(.init(field: "cursor", code: "invalid_cursor", message: "must be a next_cursor this API returned"))
            }
        }
        switch parameters["order"] {
        case nil, "oldest_first": break
        case "newest_first": window.newestFirst = true
        default: errors.append(.init(field: "order", code: "invalid", message: "must be oldest_first or newest_first"))
        }
        window.since = time("since", side: .lower)
        window.until = time("until", side: .upper)
        // The older, exclusive lower bound: the ledger keeps milliseconds, so after t is at or after t + 1 ms.
        if let after = time("created_after", side: .lower) { window.since = max(window.since ?? after, after.addingTimeInterval(0.001)) }
    }

    func text(_ name: String) -> String? { parameters[name] }

    /// A `PaymentState` named as the API prints it.
    mutating func state() -> PaymentState? { value("state", PaymentState.self) }

    mutating func value<Value: RawRepresentable & CaseIterable>(_ name: String, _ type: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let text = parameters[name] else { return nil }
        guard let value = Value(rawValue: text) else {
            errors.append(.init(field: name, code: "invalid", message: "must be one of " + Value.allCases.map(\.rawValue).joined(separator: ", ")))
            return nil
        }
        return value
    }

    /// A whole number of at least `minimum` (amounts in cents, trace numbers).
    mutating func integer(_ name: String, minimum: Int64 = 1) -> Int64? {
        guard let text = parameters[name] else { return nil }
        guard text.allSatisfy(\.isASCII), let value = Int64(text), value >= minimum else {
            errors.append(.init(field: name, code: "invalid", message: "must be a whole number of at least \(minimum)"))
            return nil
        }
        return value
    }

    private mutating func time(_ name: String, side: TimeBound.Side) -> Date? {
        guard let text = parameters[name] else { return nil }
        guard let time = TimeBound.parse(text, side: side, timeZone: .gmt) else {
            errors.append(.init(field: name, code: "invalid_timestamp", message: "must be \(TimeBound.expected), dates in UTC"))
            return nil
        }
        return time
    }

    /// Throws the 400 problem naming every bad parameter, if any was.
    func validate() throws {
        guard errors.isEmpty else { throw Problem(.invalidQuery, "the query is invalid", fieldErrors: errors) }
    }
}
