/// Opaque page cursors: the last id of a page, base64url-encoded, so callers pass them back
/// unchanged rather than build them.
public enum ListCursor {
    public static func encode(_ id: String) -> String { Base64URL.encode(Array(id.utf8)) }

    /// The id in `cursor`, when it is one this list handed out (its ids start with `prefix` and `_`).
    public static func decode(_ cursor: String, prefix: String) -> String? {
        guard let data = Base64URL.decode(cursor), let id = String(data: data, encoding: .utf8),
              id.hasPrefix(prefix + "_"), id.utf8.count <= 64 else { return nil }
        return id
    }
}
