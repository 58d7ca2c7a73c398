import Foundation

/// A job's run for node_exporter's textfile collector: when it last ran and last succeeded, how
/// long it took, how it ended, and what it counted, in the Prometheus text format, written to a
/// temporary file beside the target and renamed over it, so a scrape never reads half a file.
public struct JobMetrics: Sendable {
    public var job: String
    public var started: Date
    public var ended: Date
    public var succeeded: Bool
    /// What the run counted, by name (`files`, `payments`, `bytes`, …): each becomes `metl_job_NAME`.
    public var counts: [(name: String, value: Int, help: String)]

    public init(job: String, started: Date, ended: Date, succeeded: Bool, counts: [(name: String, value: Int, help: String)] = []) {
        self.job = job
        self.started = started
        self.ended = ended
        self.succeeded = succeeded
        self.counts = counts
    }

    /// The exposition text; `lastSuccess` is this run's end when it succeeded, else the one `previous` held.
    public func text(previous: String?) -> String {
        let lastSuccess = succeeded ? ended.timeIntervalSince1970 : previous.flatMap(Self.lastSuccess)
        let label = "{job=\"\(job)\"}"
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ value: Double) {
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) gauge", "\(name)\(label) \(Self.number(value))"]
        }
        gauge("metl_job_last_run_timestamp_seconds", "When the job's last run ended, in seconds since 1970.", ended.timeIntervalSince1970)
        if let lastSuccess {
            gauge("metl_job_last_success_timestamp_seconds", "When the job's last successful run ended, in seconds since 1970.", lastSuccess)
        }
        gauge("metl_job_duration_seconds", "How long the job's last run took.", ended.timeIntervalSince(started))
        gauge("metl_job_success", "1 when the job's last run succeeded, else 0.", succeeded ? 1 : 0)
        for count in counts {
            gauge("metl_job_\(count.name)", count.help, Double(count.value))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file at `path` atomically, owner-readable and group-readable (the collector's).
    public func write(to path: String) throws {
        let previous = try? String(contentsOfFile: path, encoding: .utf8)
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text(previous: previous).utf8),
                                             attributes: [.posixPermissions: 0o644]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    static func lastSuccess(in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix("metl_job_last_success_timestamp_seconds{") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}
