/// The trace numbers seen so far in a file, to find duplicates across batches. Traces are
/// ODFI-prefixed sequences, so they are kept as bits in 4,096-trace pages: a file of a million
/// sequential traces costs about 128 KiB, where a hash set would cost tens of megabytes.
struct TraceSet {
    private static let pageBits = 4_096
    private var pageIndex: [Int: Int] = [:]
    private var words: [UInt64] = []
    /// Traces arrive in runs on one page; remembering it skips the dictionary for most inserts.
    private var lastPage = -1
    private var lastBase = 0

    /// Inserts `trace`; false when it was already present.
    mutating func insert(_ trace: Int) -> Bool {
        let page = trace / Self.pageBits
        let offset = trace % Self.pageBits
        let base: Int
        if page == lastPage {
            base = lastBase
        } else if let existing = pageIndex[page] {
            base = existing
        } else {
            base = words.count
            pageIndex[page] = base
            words.append(contentsOf: repeatElement(0, count: Self.pageBits / 64))
        }
        lastPage = page
        lastBase = base
        let word = base + offset / 64
        let mask = UInt64(1) << UInt64(offset % 64)
        if words[word] & mask != 0 { return false }
        words[word] |= mask
        return true
    }
}
