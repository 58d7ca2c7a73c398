/// A resource's document with one more member, a list of what belongs to it: a check with its
/// `history`, an exception with its `decisions`.
struct DocumentWithList<Document: Encodable, Item: Encodable>: Encodable {
    var document: Document
    /// The added member's name.
    var name: String
    var items: [Item]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        try document.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(stringValue: name))
    }
}
