import Foundation

/// Reads a request document's members one by one and keeps every shape problem it meets (an
/// unknown member, a missing or mistyped one) instead of stopping at the first, so one answer lists
/// them all and validation can still judge the members that did fit. A member that does not fit
/// reads as nil; the document fills in a placeholder and `problems` says why.
struct DocumentFields<Key: CodingKey & CaseIterable> {
    private let container: KeyedDecodingContainer<Key>
    private(set) var problems: [PaymentError.FieldError] = []

    /// Fails only when the document is not an object at all; its unknown members are problems.
    init(_ decoder: any Decoder, _ keys: Key.Type) throws {
        container = try decoder.container(keyedBy: Key.self)
        let members = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Key.allCases.map(\.stringValue))
        for unknown in members.allKeys where !known.contains(unknown.stringValue) {
            problems.append(.init(field: FieldErrors.path(members.codingPath + [unknown]), code: "unknown_field",
                                  message: "is not a field of this document"))
        }
    }

    /// A member the document must have.
    mutating func required<Value: Decodable>(_ type: Value.Type, _ key: Key) -> Value? {
        read { try $0.decode(type, forKey: key) }
    }

    /// A member the document may leave out (or set to null).
    mutating func optional<Value: Decodable>(_ type: Value.Type, _ key: Key) -> Value? {
        read { try $0.decodeIfPresent(type, forKey: key) }
    }

    /// An integer member, with `representable` false (and no problem recorded) when it is valid
    /// JSON no Int64 holds (`9223372036854775808`, `1e400`, `12.5`): validation names that by field.
    mutating func wholeNumber(_ key: Key) -> (value: Int64?, representable: Bool) {
        do {
            return (try container.decode(Int64.self, forKey: key), true)
        } catch let error as DecodingError {
            problems.append(FieldErrors.from(error))
            return (nil, true)
        } catch {
            return (nil, false)
        }
    }

    /// A nested document that reads its own members the same way: its problems become ours.
    mutating func nested<Value: Decodable & ShapeChecked>(_ type: Value.Type, _ key: Key) -> Value? {
        guard let value = required(type, key) else { return nil }
        problems += value.shapeProblems
        return value
    }

    /// Decoding errors are the member's problem; anything else (Foundation's "number is not
    /// representable") is the caller's to interpret, so it is thrown.
    private mutating func read<Value>(_ body: (KeyedDecodingContainer<Key>) throws -> Value?) -> Value? {
        do {
            return try body(container)
        } catch let error as DecodingError {
            problems.append(FieldErrors.from(error))
            return nil
        } catch {
            problems.append(.init(field: FieldErrors.path(container.codingPath), code: "malformed", message: "is not valid"))
            return nil
        }
    }
}

/// A document read with `DocumentFields`: the shape problems it was read with, which validation
/// reports first, together with what it finds in the members that fit.
protocol ShapeChecked {
    var shapeProblems: [PaymentError.FieldError] { get }
}

extension ShapeChecked {
    /// One answer with every problem under one `headline`: the shape problems first, then the rule
    /// `findings` about the members that fit (`invalidDocument`, 400 over HTTP); the findings
    /// alone are `invalidRequest` (422). Returns when there are neither.
    func requireValid(_ findings: [PaymentError.FieldError], headline: String) throws(PaymentError) {
        if !shapeProblems.isEmpty {
            throw PaymentError(.invalidDocument, headline, fieldErrors: shapeProblems + findings.excludingFields(of: shapeProblems))
        }
        guard findings.isEmpty else { throw PaymentError(.invalidRequest, headline, fieldErrors: findings) }
    }
}

extension [PaymentError.FieldError] {
    /// Rule findings about members that had no shape problem: a missing or mistyped member is
    /// reported once, as what it is, not again as an invalid placeholder.
    func excludingFields(of shapeProblems: [PaymentError.FieldError]) -> [PaymentError.FieldError] {
        let fields = shapeProblems.map(\.field)
        return filter { finding in !fields.contains { finding.field == $0 || finding.field.hasPrefix($0 + ".") } }
    }
}
