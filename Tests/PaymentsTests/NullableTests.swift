import Foundation
import Payments
import Testing

/// `@Nullable` members: written as null, read back from null or from nothing.
@Suite struct NullableTests {
    struct Document: Codable, Equatable {
        @Nullable var reason: String?
        var name: String
    }

    @Test func absentValuesAreWrittenAsNullAndReadFromNullOrAbsence() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(Document(reason: nil, name: "a")), as: UTF8.self) == #"{"name":"a","reason":null}"#)
        #expect(String(decoding: try encoder.encode(Document(reason: "late", name: "a")), as: UTF8.self) == #"{"name":"a","reason":"late"}"#)
        for json in [#"{"name":"a","reason":null}"#, #"{"name":"a"}"#] {
            #expect(try JSONDecoder().decode(Document.self, from: Data(json.utf8)) == Document(reason: nil, name: "a"), "\(json)")
        }
        #expect(try JSONDecoder().decode(Document.self, from: Data(#"{"name":"a","reason":"late"}"#.utf8)).reason == "late")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Document.self, from: Data(#"{"name":"a","reason":7}"#.utf8)) }
    }
}
