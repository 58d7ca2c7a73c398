/// A table's row count and a SHA-256 over its rows in key order: two stores hold the same table
/// exactly when their digests are equal.
public struct TableDigest: Sendable, Hashable {
    public var table: String
    public var rows: Int
    public var sha256: String

    /// Builds a digest from rows added in key order, each value tagged with its kind and length so
    /// no two different rows encode alike.
    public struct Builder {
        public let table: String
        private var rows = 0
        private var stream = SHA256Digest.Stream()

        public init(table: String) { self.table = table }

        public mutating func add(_ rows: [[StoredValue]]) {
            var bytes: [UInt8] = []
            for row in rows {
                for value in row {
                    switch value {
                    case .null: bytes.append(0)
                    case .integer(let number):
                        bytes.append(1)
                        withUnsafeBytes(of: number.bigEndian) { bytes.append(contentsOf: $0) }
                    case .text(let text):
                        bytes.append(2)
                        withUnsafeBytes(of: UInt64(text.utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
                        bytes.append(contentsOf: text.utf8)
                    }
                }
                bytes.append(0xFF)
            }
            bytes.withUnsafeBytes { stream.update($0) }
            self.rows += rows.count
        }

        public var digest: TableDigest { TableDigest(table: table, rows: rows, sha256: stream.hex) }
    }
}
