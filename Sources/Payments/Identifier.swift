import Foundation
import Synchronization

/// Identifiers: a type prefix and a ULID (48-bit milliseconds + 80 random bits, Crockford base32),
/// so ids are URL-safe, unique without coordination and sort by creation time. Within one
/// millisecond the random part is incremented, so ids made by one process also sort in creation order.
public enum Identifier {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let randomMask: UInt128 = (UInt128(1) << 80) - 1
    private static let last = Mutex<(milliseconds: UInt64, random: UInt128)>((0, 0))

    public static func make(prefix: String, at date: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let random: UInt128 = last.withLock { last in
            if milliseconds == last.milliseconds, last.random < randomMask {
                last.random += 1
            } else {
                var generator = SystemRandomNumberGenerator()
                let high = UInt128(UInt16.random(in: .min ... .max, using: &generator))
                // The top bit stays clear so increments within a millisecond never overflow in practice.
                last = (milliseconds, ((high << 64) | UInt128(UInt64.random(in: .min ... .max, using: &generator))) >> 1)
            }
            return last.random
        }
        var characters = [UInt8](repeating: 0, count: 26)
        var time = milliseconds
        for index in stride(from: 9, through: 0, by: -1) {
            characters[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        var bits = random
        for index in stride(from: 25, through: 10, by: -1) {
            characters[index] = alphabet[Int(bits & 31)]
            bits >>= 5
        }
        return prefix + "_" + String(decoding: characters, as: UTF8.self)
    }
}
