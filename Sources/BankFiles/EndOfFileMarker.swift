/// The DOS end-of-file marker (Ctrl-Z, 0x1A) some bank systems still append to a text report. The
/// formats allow it as the last byte (a line ending may follow), so every text report reader drops
/// it there before it reads; anywhere else it stays, and the reader refuses the line that holds it.
public enum EndOfFileMarker {
    public static let byte: UInt8 = 0x1A

    /// `bytes` without a final Ctrl-Z and the line endings or spaces around it.
    public static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.endIndex
        while end > bytes.startIndex, [0x0A, 0x0D, 0x20].contains(bytes[end - 1]) { end -= 1 }
        guard end > bytes.startIndex, bytes[end - 1] == byte else { return bytes }
        end -= 1
        // What came before the marker keeps its own line ending.
        return Array(bytes[..<end])
    }
}
