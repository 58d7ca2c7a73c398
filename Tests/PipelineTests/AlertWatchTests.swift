import BankFiles
import Foundation
import NACHA
import Payments
import Pipeline
import Testing
import TestSupport

/// The watcher's conditions of time, raised while they hold and resolved once they clear.
@Suite struct AlertWatchTests {
    static let routing = AlertRouting(routes: [.init(codes: nil, minimumSeverity: .info, channels: ["ops"])])

    @Test func aSentFileNotAcknowledgedInTimeIsRaisedThenResolvedByTheAcknowledgement() async throws {
        let fixture = try await CutoffFixture(payments: 3)
        let bank = fixture.database.directory.appendingPathComponent("bank")
        try FileManager.default.createDirectory(at: bank, withIntermediateDirectories: true)
        #expect(try await fixture.job(LocalDirectoryDestination(directory: bank.path)).run().filesUploaded == 1)
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).first)
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())

        #expect(await alerts.watch(at: Date().addingTimeInterval(3_600)).isEmpty, "an hour after the upload: still in time")
        let raised = await alerts.watch(at: Date().addingTimeInterval(5 * 3_600))
        #expect(raised.map(\.code) == [.fileUnacknowledged] && raised.first?.key == file.name)
        #expect(await alerts.watch(at: Date().addingTimeInterval(5 * 3_600 + 60)).isEmpty, "seen again, not raised again")
        #expect(try await fixture.store.alerts(openOnly: true, code: .fileUnacknowledged, limit: 10).first?.count == 2)

        // The bank's acknowledgement moves the file's payments on: the alert resolves.
        for payment in try await fixture.payments(.submittedToCore) {
            _ = try await fixture.store.transition(paymentID: payment.id, steps: [
                TransitionStep(to: .processing, actor: .bankFile, reasonCode: "acknowledged", reasonText: "accepted by the operator"),
            ])
        }
        _ = await alerts.watch(at: Date().addingTimeInterval(6 * 3_600))
        #expect(try await fixture.store.alerts(openOnly: true, code: nil, limit: 10).isEmpty)
        let resolved = try #require(try await fixture.store.alerts(openOnly: false, code: .fileUnacknowledged, limit: 10).first)
        #expect(resolved.status == .resolved)
        #expect(Set(try await fixture.store.alertNotifications(alertID: resolved.id).map(\.event)) == [.trigger, .resolve])
    }

    @Test func anExpectedBankFileNotArrivedByItsTimeIsRaisedAndResolvedWhenItArrives() async throws {
        let fixture = try await CutoffFixture(payments: 0)
        let utc = TimeZone(identifier: "UTC")!
        let schedule = try CutoffSchedule(windows: [], timeZone: utc, delivery: .seconds(900))
        let expected = [(profile: "primary", schedule: schedule,
                         files: [ExpectedBankFile(kind: .acknowledgement, by: ACHTime(hour: 18, minute: 30), bankingDaysOnly: false)])]
        let alerts = JobAlerts(store: fixture.store, routing: Self.routing, logger: TestLog.logger())
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        // A Wednesday: before 18:30 nothing is due; after, the acknowledgement is missing.
        let day = calendar.date(from: DateComponents(year: 2026, month: 12, day: 9))!
        #expect(await alerts.watch(at: day.addingTimeInterval(18 * 3_600), expected: expected).isEmpty)
        let raised = await alerts.watch(at: day.addingTimeInterval(19 * 3_600), expected: expected)
        #expect(raised.map(\.code) == [.bankFileMissing] && raised.first?.key == "primary/acknowledgement/2026-12-09", "\(raised)")
        // It arrives late: the next pass resolves it.
        let bytes = Array("ack".utf8)
        try await fixture.store.recordInbound(InboundFile(id: Identifier.make(prefix: InboundFile.idPrefix), sha256: Archive.sha256(bytes),
                                                          kind: .fedACHAcknowledgement, source: "test", name: "ACK.txt", size: 3,
                                                          status: .duplicate, archivePath: "/dev/null",
                                                          receivedAt: day.addingTimeInterval(20 * 3_600)))
        #expect(await alerts.watch(at: day.addingTimeInterval(21 * 3_600), expected: expected).isEmpty)
        #expect(try await fixture.store.alerts(openOnly: true, code: .bankFileMissing, limit: 10).isEmpty)
        #expect(try await fixture.store.alerts(openOnly: false, code: .bankFileMissing, limit: 10).first?.status == .resolved)
    }
}
