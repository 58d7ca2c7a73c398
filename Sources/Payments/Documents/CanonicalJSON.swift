/// A canonical JSON form (sorted keys, no whitespace, minimal escapes) written by hand: fingerprints
/// must not depend on an encoder's formatting choices, and this runs once per imported row.
public enum CanonicalJSON {
    /// `text` as a JSON string, escaped minimally, appended to UTF-8 `output`. Escapes concern ASCII
    /// bytes only, so every other byte (multi-byte scalars included) is copied as it is.
    public static func string(_ text: String, into output: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        output.append(quote)
        // Almost every value needs no escape: appended whole, not byte by byte.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == quote || $0 == backslash }) else {
            output.append(contentsOf: text.utf8)
            output.append(quote)
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case quote, backslash: output += [backslash, byte]
            case 0x0A: output += [backslash, UInt8(ascii: "n")]
            case 0x0D: output += [backslash, UInt8(ascii: "r")]
            case 0x09: output += [backslash, UInt8(ascii: "t")]
            case ..<0x20: output += [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(quote)
    }

    static func object(_ dictionary: [String: String], into output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        for (index, key) in dictionary.keys.sorted().enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            string(key, into: &output)
            output.append(UInt8(ascii: ":"))
            string(dictionary[key] ?? "", into: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    public static func object(_ dictionary: [String: String]) -> String {
        var output: [UInt8] = []
        object(dictionary, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads back what `object` writes: a flat object of strings. Nil for anything else (callers then
    /// fall back to a full JSON decoder), so reading the ledger never pays for one on its own output.
    public static func parseObject(_ text: String) -> [String: String]? {
        var bytes = Array(text.utf8)[...]
        func expect(_ byte: UInt8) -> Bool {
            guard bytes.first == byte else { return false }
            bytes = bytes.dropFirst()
            return true
        }
        func string() -> String? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            var output: [UInt8] = []
            while let byte = bytes.first {
                bytes = bytes.dropFirst()
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: output, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = bytes.first else { return nil }
                    bytes = bytes.dropFirst()
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
                    case UInt8(ascii: "n"): output.append(0x0A)
                    case UInt8(ascii: "r"): output.append(0x0D)
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "u"):
                        guard bytes.count >= 4, let value = UInt32(String(decoding: bytes.prefix(4), as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(value) else { return nil }
                        bytes = bytes.dropFirst(4)
                        output.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                default: output.append(byte)
                }
            }
            return nil
        }
        guard expect(UInt8(ascii: "{")) else { return nil }
        var result: [String: String] = [:]
        if expect(UInt8(ascii: "}")) { return bytes.isEmpty ? result : nil }
        repeat {
            guard let key = string(), expect(UInt8(ascii: ":")), let value = string() else { return nil }
            result[key] = value
        } while expect(UInt8(ascii: ","))
        return expect(UInt8(ascii: "}")) && bytes.isEmpty ? result : nil
    }
}

extension PaymentRequest {
    /// The request in canonical form: keys sorted at every level.
    public var canonicalJSON: String { String(decoding: canonicalBytes, as: UTF8.self) }

    private var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(320)
        func member(_ name: String, _ value: String) {
            output.append(contentsOf: name.utf8)
            CanonicalJSON.string(value, into: &output)
        }
        output.append(contentsOf: "{\"amount\":\(amount),\"counterparty\":{".utf8)
        member("\"account_number\":", counterparty.accountNumber)
        member(",\"account_type\":", counterparty.accountType)
        member(",\"name\":", counterparty.name)
        member(",\"routing_number\":", counterparty.routingNumber)
        member("},\"currency\":", currency)
        member(",\"description\":", description)
        member(",\"direction\":", direction)
        member(",\"effective_date\":", effectiveDate)
        output.append(contentsOf: ",\"metadata\":".utf8)
        CanonicalJSON.object(metadata, into: &output)
        // Only when given, so a request without them keeps the fingerprint it always had.
        if let profile { member(",\"profile\":", profile) }
        member(",\"sec_code\":", secCode)
        if let settlement { member(",\"settlement\":", settlement) }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// What an idempotency key is bound to: the operation (named as the API's route, whichever way
    /// the request came: API, CLI or CSV) and the SHA-256 of the canonical form. Equal requests,
    /// equal fingerprints, so one key and one document are one request everywhere.
    public var fingerprint: String { SHA256Digest.hex(Array("POST /payments/ach\n\(SHA256Digest.hex(canonicalBytes))".utf8)) }
}

extension Payment {
    /// The metadata in the canonical JSON form the ledger stores.
    public var metadataJSON: String { CanonicalJSON.object(metadata) }
}
