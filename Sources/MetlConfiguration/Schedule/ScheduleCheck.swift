import Foundation

/// What is installed against what the configuration makes: each generated file the same, differing
/// (with the first line that differs) or missing, and metl files installed that it does not make.
public enum ScheduleCheck {
    public struct Finding: Sendable, Hashable, Encodable {
        public enum Status: String, Sendable, Hashable, Encodable { case same, differs, missing, extra }
        public var file: String
        public var status: Status
        /// For `differs`: the first line that is not as configured, installed then configured.
        public var installedLine: String?
        public var configuredLine: String?

        enum CodingKeys: String, CodingKey { case file, status, installedLine = "installed_line", configuredLine = "configured_line" }
    }

    /// The units in `directory` (`metl-*.service` and `.timer`) against `units`.
    public static func systemd(_ units: [(name: String, text: String)], directory: String) -> [Finding] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let installed = names.filter { $0.hasPrefix("metl-") && ($0.hasSuffix(".service") || $0.hasSuffix(".timer")) }
        var findings = units.map { unit in compare(configured: unit.text, installedAt: directory + "/" + unit.name) }
        for name in installed.sorted() where !units.contains(where: { $0.name == name }) {
            findings.append(Finding(file: directory + "/" + name, status: .extra))
        }
        return findings
    }

    /// The crontab at `path` against `text`.
    public static func cron(_ text: String, path: String) -> [Finding] { [compare(configured: text, installedAt: path)] }

    private static func compare(configured: String, installedAt path: String) -> Finding {
        guard let data = FileManager.default.contents(atPath: path) else { return Finding(file: path, status: .missing) }
        let installed = String(decoding: data, as: UTF8.self)
        guard installed != configured else { return Finding(file: path, status: .same) }
        let left = installed.split(separator: "\n", omittingEmptySubsequences: false)
        let right = configured.split(separator: "\n", omittingEmptySubsequences: false)
        let index = (0..<min(left.count, right.count)).first { left[$0] != right[$0] } ?? min(left.count, right.count)
        return Finding(file: path, status: .differs, installedLine: index < left.count ? String(left[index]) : "(end of file)",
                       configuredLine: index < right.count ? String(right[index]) : "(end of file)")
    }
}
