import Foundation
import Payments
import Pipeline

/// Today: what needs someone now. Per bank profile the next window; held, failed and
/// unacknowledged files; exceptions that fall to the bank's default soon; quarantined bank files;
/// dead-lettered webhooks; open alerts; the audit log's last verification here.
extension ConsolePages {
    struct TodayModel {
        struct Window { var profile: String; var window: String; var runsAt: String; var deadline: String; var countdown: String; var open: Bool }
        struct FileRow { var id: String; var name: String; var status: String; var detail: String; var countdown: String }
        struct ExceptionRow { var id: String; var serial: String; var amount: String; var reason: String; var deadline: String; var countdown: String; var urgent: Bool }
        struct BankFileRow { var id: String; var name: String; var reason: String; var received: String }
        struct AlertRow { var code: String; var severity: String; var key: String; var summary: String; var raised: String; var seen: String?
                          var acknowledgedBy: String?; var critical: Bool }
        var windows: [Window]
        var alerts: [AlertRow]
        /// Open alerts beyond those listed, said in words (`metl alerts list --open` shows them all).
        var alertsMore: String?
        /// Mustache reads stored properties only (Mirror): whether the alerts section shows.
        var hasAlerts: Bool
        var held: [FileRow]
        var failed: [FileRow]
        var unacknowledged: [FileRow]
        var exceptions: [ExceptionRow]
        var quarantined: [BankFileRow]
        var deadLetters: Int
        var audit: String
        var auditHolds: Bool
        var checkpoint: String
        var nothingWaiting: Bool
    }

    /// At most this many of the newest sent files are checked for an acknowledgement.
    static let acknowledgementChecks = 25
    /// At most this many open alerts are listed (`metl alerts list --open` shows them all).
    static let alertsShown = 20
    /// Exceptions due within this long are listed.
    static let exceptionHorizon: TimeInterval = 24 * 3600

    func today(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let now = request.now
        let windows = configuration.schedules.compactMap { profile, schedule -> TodayModel.Window? in
            guard let next = schedule.nextWindow(at: now) else { return nil }
            return .init(profile: profile, window: "\(next.window.name) (\(CutoffWindow.text(next.window.runsAt))–\(CutoffWindow.text(next.window.bankDeadline)) \(schedule.timeZone.identifier))",
                         runsAt: Format.time(next.runsAt), deadline: Format.time(next.deadline),
                         countdown: Format.countdown(to: next.deadline, from: now), open: next.runsAt <= now)
        }
        let files = try await store.outboundFiles(statuses: [.awaitingApproval, .failed, .uploaded])
        let held = files.filter { $0.status == .awaitingApproval }.map { file in
            TodayModel.FileRow(id: file.id, name: file.name, status: file.status.rawValue,
                               detail: "\(file.approval?.given ?? 0) of \(file.approval?.required ?? 0) approvals",
                               countdown: file.approvalDeadline.map { Format.countdown(to: $0, from: now) } ?? "")
        }
        let failed = files.filter { $0.status == .failed }.map { file in
            TodayModel.FileRow(id: file.id, name: file.name, status: file.status.rawValue, detail: file.failureReason ?? "", countdown: "")
        }
        var unacknowledged: [TodayModel.FileRow] = []
        // The newest sent files, each asked whether the bank has acknowledged it.
        for file in files.filter({ $0.status == .uploaded }).sorted(by: { $0.id > $1.id }).prefix(Self.acknowledgementChecks) {
            if try await store.awaitsAcknowledgement(file, at: now) {
                unacknowledged.append(.init(id: file.id, name: file.name, status: "uploaded", detail: "uploaded \(Format.time(file.uploadedAt))",
                                            countdown: file.uploadedAt.map { Format.countdown(to: $0, from: now) } ?? ""))
            }
        }
        let exceptions = try await store.checkExceptions(merchantID: nil, status: .open)
            .filter { $0.deadline.timeIntervalSince(now) < Self.exceptionHorizon }
            .sorted { $0.deadline < $1.deadline }
            .map { exception in
                TodayModel.ExceptionRow(id: exception.id, serial: exception.serial, amount: Format.cents(exception.presentedAmount),
                                        reason: exception.reason.rawValue, deadline: Format.time(exception.deadline),
                                        countdown: Format.countdown(to: exception.deadline, from: now),
                                        urgent: exception.deadline.timeIntervalSince(now) < 2 * 3600)
            }
        let quarantined = try await store.inboundFiles().filter { $0.status == .quarantined }.map { file in
            TodayModel.BankFileRow(id: file.id, name: file.name, reason: file.reason ?? "", received: Format.time(file.receivedAt))
        }
        // Open alerts, the critical ones first, then newest first: all of them sorted before the
        // cut, so twenty fresh warnings never hide an older critical one.
        let open = try await store.alerts(openOnly: true, code: nil, limit: Int.max)
        let alerts = open.sorted { ($0.severity, $0.raisedAt) > ($1.severity, $1.raisedAt) }
            .prefix(Self.alertsShown)
            .map { alert in
                TodayModel.AlertRow(code: alert.code.rawValue, severity: alert.severity.rawValue, key: alert.key,
                                    summary: alert.summary.count > 300 ? String(alert.summary.prefix(300)) + "…" : alert.summary,
                                    raised: Format.time(alert.raisedAt), seen: alert.count > 1 ? "seen \(alert.count) times" : nil,
                                    acknowledgedBy: alert.acknowledgedBy, critical: alert.severity == .critical)
            }
        let verification = await console.lastVerification.latest
        // The latest signed checkpoint in the archive: how far the log is anchored outside the database.
        let checkpoint = configuration.archive.flatMap { try? AuditCheckpoints(archive: $0).latest() }?.checkpoint
        let model = TodayModel(
            windows: windows, alerts: Array(alerts),
            alertsMore: open.count > alerts.count ? "and \(open.count - alerts.count) more open alerts: metl alerts list --open" : nil,
            hasAlerts: !alerts.isEmpty, held: held, failed: failed, unacknowledged: unacknowledged, exceptions: exceptions, quarantined: quarantined,
            deadLetters: try await store.webhookDeliveryCount(status: .failed),
            audit: verification.map { "\($0.holds ? "holds" : "BROKEN"): \($0.summary), verified \(Format.time($0.at)) by \($0.by)" }
                ?? "not verified since this server started",
            auditHolds: verification?.holds ?? true,
            checkpoint: checkpoint.map { "the latest checkpoint signs entry \($0.sequence), at \($0.at)" } ?? "no checkpoint yet (metl audit checkpoint)",
            nothingWaiting: alerts.isEmpty && held.isEmpty && failed.isEmpty && exceptions.isEmpty && quarantined.isEmpty)
        return await render("today", "Today", model, request)
    }
}
