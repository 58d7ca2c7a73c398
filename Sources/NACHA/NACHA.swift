/// The NACHA module owns the ACH file format: typed records, the writer that renders them into
/// 94-character records with every control field computed, the streaming reader that accepts what
/// real banks send, and the strict validator that reports every problem with a stable code.
///
/// It has no database and no network: it turns models into bytes and bytes into models plus
/// diagnostics, and nothing else.
public enum NACHA {
    /// Every NACHA record is exactly this many characters.
    public static let recordLength = 94
    /// Records per block; files are padded with all-`9` records to a multiple of this.
    public static let blockingFactor = 10
    /// The largest amount an entry amount field (10 digits of cents) can hold.
    public static let maximumEntryAmount: Int64 = 9_999_999_999
}
