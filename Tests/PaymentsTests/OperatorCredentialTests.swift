import Foundation
import Testing
@testable import Payments

/// The credentials an approval asks for: RFC 6238 codes, sealed secrets, bcrypt passwords.
@Suite struct OperatorCredentialTests {
    @Test func totpMatchesRFC6238AndAcceptsOneStepOfDrift() throws {
        // RFC 6238 appendix B, SHA-1: the 8-digit codes' last 6 digits.
        let secret = Array("12345678901234567890".utf8)
        #expect(TOTP.code(secret: secret, step: 59 / 30) == "287082")
        #expect(TOTP.code(secret: secret, step: 1_111_111_109 / 30) == "081804")
        #expect(TOTP.code(secret: secret, step: 20_000_000_000 / 30) == "353130")
        let now = Date(timeIntervalSince1970: 1_111_111_109)
        let step: Int64 = 1_111_111_109 / 30
        #expect(TOTP.matchingStep("081804", secret: secret, at: now) == step)
        #expect(TOTP.matchingStep("081804", secret: secret, at: now.addingTimeInterval(30)) == step, "one step late")
        #expect(TOTP.matchingStep("081804", secret: secret, at: now.addingTimeInterval(90)) == nil, "three steps late")
        #expect(TOTP.matchingStep("81804", secret: secret, at: now) == nil)
        #expect(TOTP.base32(Array("foobar".utf8)) == "MZXW6YTBOI")
        let uri = TOTP.uri(secret: secret, account: "alice")
        #expect(uri.hasPrefix("otpauth://totp/metl%3Aalice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=metl&algorithm=SHA1&digits=6&period=30"))
    }

    @Test func aSealedSecretOpensOnlyWithItsKeyAndUnchanged() throws {
        let key = SealedSecret.init
        let sealer = try key(Array(repeating: 7, count: 32))
        let other = try key(Array(Data(repeating: 9, count: 32).base64EncodedString().utf8))
        let sealed = try sealer.seal([1, 2, 3])
        #expect(try sealer.open(sealed) == [1, 2, 3])
        #expect(throws: PaymentError.self) { try other.open(sealed) }
        var bytes = Array(Data(base64Encoded: sealed)!)
        bytes[bytes.count - 1] ^= 1
        #expect(throws: PaymentError.self) { try sealer.open(Data(bytes).base64EncodedString()) }
        #expect(throws: PaymentError.self) { try key(Array("short".utf8)) }
    }

    @Test func passwordsAreSaltedBcryptAndLongEnough() throws {
        let hash = try PasswordHash.make("correct horse battery")
        #expect(hash.hasPrefix("$2b$12$") && !hash.contains("correct"))
        #expect(try PasswordHash.make("correct horse battery") != hash, "salted")
        #expect(PasswordHash.verify("correct horse battery", against: hash))
        #expect(!PasswordHash.verify("correct horse batterY", against: hash))
        #expect(throws: PaymentError.self) { try PasswordHash.make("short") }
    }
}
