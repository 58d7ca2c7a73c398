import NACHA

/// The name an outbound file gets at the bank, from a template with `{origin}`, `{destination}`,
/// `{yyyyMMdd}`, `{yyMMdd}`, `{HHmm}`, `{modifier}` and `{id}`.
public struct FilenameTemplate: Sendable, Hashable {
    public var template: String

    public init(_ template: String) {
        self.template = template
    }

    public static let defaultNACHA = FilenameTemplate("ACH_{origin}_{yyyyMMdd}_{HHmm}_{modifier}.ach")

    public func name(header: FileHeader, id: String) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let date = header.creationDate
        let time = header.creationTime ?? ACHTime(hour: 0, minute: 0)
        return template
            .replacingOccurrences(of: "{origin}", with: header.immediateOrigin)
            .replacingOccurrences(of: "{destination}", with: header.immediateDestination)
            .replacingOccurrences(of: "{yyyyMMdd}", with: "\(date.year)\(two(date.month))\(two(date.day))")
            .replacingOccurrences(of: "{yyMMdd}", with: "\(two(date.year % 100))\(two(date.month))\(two(date.day))")
            .replacingOccurrences(of: "{HHmm}", with: "\(two(time.hour))\(two(time.minute))")
            .replacingOccurrences(of: "{modifier}", with: header.fileIDModifier)
            .replacingOccurrences(of: "{id}", with: id)
    }
}
