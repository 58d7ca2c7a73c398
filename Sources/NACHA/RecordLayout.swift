/// Which fields a raw record has, chosen from its type (and for addenda, its type code and reason
/// code), so tools can show any record field by field, even in a file that does not validate.
public enum RecordLayout {
    public static func describe(_ record: UnsafeBufferPointer<UInt8>, standardEntryClass: StandardEntryClass?) -> (name: String, fields: [Field]) {
        if record.allSatisfy({ $0 == 0x39 }) { return ("padding", []) }
        switch record[0] {
        case UInt8(ascii: "1"): return ("file header", FileHeader.Fields.all)
        case UInt8(ascii: "5"): return ("batch header", BatchHeader.Fields.all)
        case UInt8(ascii: "6"):
            return standardEntryClass == .ctx ? ("entry detail (CTX)", EntryDetail.Fields.ctx) : ("entry detail", EntryDetail.Fields.all)
        case UInt8(ascii: "7"):
            let code = String(decoding: UnsafeBufferPointer(rebasing: record[3..<6]), as: UTF8.self)
            switch (record[1], record[2]) {
            case (UInt8(ascii: "0"), UInt8(ascii: "5")): return ("addenda 05 (payment related)", Addenda.Fields.paymentRelated)
            case (UInt8(ascii: "9"), UInt8(ascii: "8")):
                if ChangeCode.lookup(code)?.isRefusal == true {
                    return ("addenda 98 (refused notification of change)", Addenda.Fields.refusedNotificationOfChange)
                }
                return ("addenda 98 (notification of change)", Addenda.Fields.notificationOfChange)
            case (UInt8(ascii: "9"), UInt8(ascii: "9")):
                let reason = ReturnReasonCode.lookup(code)
                if reason?.isDishonored == true { return ("addenda 99 (dishonored return)", Addenda.Fields.dishonoredReturn) }
                if reason?.isContested == true {
                    return ("addenda 99 (contested dishonored return)", Addenda.Fields.contestedDishonoredReturn)
                }
                return ("addenda 99 (return)", Addenda.Fields.returnEntry)
            default: return ("addenda (unknown type)", [Addenda.Fields.recordType, Addenda.Fields.typeCode])
            }
        case UInt8(ascii: "8"): return ("batch control", BatchControl.Fields.all)
        case UInt8(ascii: "9"): return ("file control", FileControl.Fields.all)
        default: return ("unknown record", [])
        }
    }

    /// The raw characters of `field` in `record`.
    public static func raw(_ field: Field, in record: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: record[field.range]), as: UTF8.self)
    }
}

extension Field {
    /// What the raw value means for a person: dollars for amounts, ISO dates, code meanings.
    /// Nil when the raw text says it all.
    public func interpret(_ raw: String) -> String? {
        let trimmed = raw.trimmingSpaces
        switch meaning {
        case .amount:
            guard let cents = Int64(raw) else { return "not a number" }
            return Dollars.format(cents)
        case .date:
            guard !trimmed.isEmpty else { return nil }
            guard trimmed.utf8.count == 6, let value = Int(trimmed) else { return "not a date" }
            let date = ACHDate(yymmdd: value)
            return date.isValid ? date.description : "not a calendar date"
        case .time:
            guard let value = Int(raw), raw.utf8.count == 4 else { return trimmed.isEmpty ? nil : "not a time" }
            let time = ACHTime(hour: value / 100, minute: value % 100)
            return time.isValid ? "\(raw.prefix(2)):\(raw.suffix(2))" : "not a time"
        case .julianDay:
            return trimmed.isEmpty ? nil : (Int(trimmed).map { "day \($0) of the year" } ?? "not a day")
        case .transactionCode:
            return Int(raw).map { TransactionCode(rawValue: $0).meaning }
        case .serviceClass:
            return Int(raw).flatMap(ServiceClassCode.init(rawValue:))?.meaning ?? "unknown service class"
        case .standardEntryClass:
            return StandardEntryClass(rawValue: trimmed).meaning
        case .returnReasonCode:
            return trimmed.isEmpty ? nil : (ReturnReasonCode.lookup(trimmed)?.meaning ?? "unassigned return code")
        case .changeCode:
            return trimmed.isEmpty ? nil : (ChangeCode.lookup(trimmed)?.meaning ?? "unknown change code")
        case .addendaType:
            switch raw {
            case "05": return "payment related information"
            case "98": return "notification of change"
            case "99": return "return"
            default: return "unknown addenda type"
            }
        case .routing:
            return RoutingNumber.isValid(trimmed) ? "routing number, check digit valid" : nil
        case .text, .number, .constant:
            return nil
        }
    }
}
