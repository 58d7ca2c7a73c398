import NACHA

/// The name an outbound file gets at the bank, from a template. Every kind has `{yyyyMMdd}`,
/// `{yyMMdd}`, `{HHmm}` and `{id}`; NACHA files add `{origin}`, `{destination}` and `{modifier}`,
/// Positive Pay issue files `{account4}` (the account's last four digits) and `{layout}`.
public struct FilenameTemplate: Sendable, Hashable {
    public var template: String

    public init(_ template: String) {
        self.template = template
    }

    public static let defaultNACHA = FilenameTemplate("ACH_{origin}_{yyyyMMdd}_{HHmm}_{modifier}.ach")
    public static let defaultPositivePay = FilenameTemplate("PPAY_{account4}_{yyyyMMdd}_{HHmm}_{id}.txt")
    public static let defaultDecisions = FilenameTemplate("PPDEC_{yyyyMMdd}_{HHmm}_{id}.csv")

    public func name(header: FileHeader, id: String) -> String {
        name(date: header.creationDate, time: header.creationTime ?? ACHTime(hour: 0, minute: 0), id: id, fields: [
            "origin": header.immediateOrigin, "destination": header.immediateDestination, "modifier": header.fileIDModifier,
        ])
    }

    public func name(date: ACHDate, time: ACHTime, id: String, fields: [String: String]) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        var name = template
            .replacingOccurrences(of: "{yyyyMMdd}", with: "\(date.year)\(two(date.month))\(two(date.day))")
            .replacingOccurrences(of: "{yyMMdd}", with: "\(two(date.year % 100))\(two(date.month))\(two(date.day))")
            .replacingOccurrences(of: "{HHmm}", with: "\(two(time.hour))\(two(time.minute))")
            .replacingOccurrences(of: "{id}", with: id)
        for (field, value) in fields { name = name.replacingOccurrences(of: "{\(field)}", with: value) }
        return name
    }
}
