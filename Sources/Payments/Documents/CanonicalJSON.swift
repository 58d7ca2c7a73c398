/// A canonical JSON form (sorted keys, no whitespace, minimal escapes) written by hand: fingerprints
/// must not depend on an encoder's formatting choices, and this runs once per imported row.
public enum CanonicalJSON {
    static func string(_ text: String, into output: inout String) {
        output.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }

    public static func object(_ dictionary: [String: String]) -> String {
        var output = "{"
        for (index, key) in dictionary.keys.sorted().enumerated() {
            if index > 0 { output.append(",") }
            string(key, into: &output)
            output.append(":")
            string(dictionary[key] ?? "", into: &output)
        }
        output.append("}")
        return output
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

    static func sha256Hex(_ text: String) -> String { SHA256Digest.hex(Array(text.utf8)) }
}

extension PaymentRequest {
    /// The request in canonical form: keys sorted at every level.
    public var canonicalJSON: String {
        var output = "{\"amount\":\(amount),\"counterparty\":{\"account_number\":"
        CanonicalJSON.string(counterparty.accountNumber, into: &output)
        output.append(",\"account_type\":")
        CanonicalJSON.string(counterparty.accountType, into: &output)
        output.append(",\"name\":")
        CanonicalJSON.string(counterparty.name, into: &output)
        output.append(",\"routing_number\":")
        CanonicalJSON.string(counterparty.routingNumber, into: &output)
        output.append("},\"currency\":")
        CanonicalJSON.string(currency, into: &output)
        output.append(",\"description\":")
        CanonicalJSON.string(description, into: &output)
        output.append(",\"direction\":")
        CanonicalJSON.string(direction, into: &output)
        output.append(",\"effective_date\":")
        CanonicalJSON.string(effectiveDate, into: &output)
        output.append(",\"metadata\":" + CanonicalJSON.object(metadata) + ",\"sec_code\":")
        CanonicalJSON.string(secCode, into: &output)
        output.append("}")
        return output
    }

    /// SHA-256 of the canonical form: equal requests, equal fingerprints.
    public var fingerprint: String { CanonicalJSON.sha256Hex(canonicalJSON) }
}

extension Payment {
    /// The metadata in the canonical JSON form the ledger stores.
    public var metadataJSON: String { CanonicalJSON.object(metadata) }
}
