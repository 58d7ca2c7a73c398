import BankFiles
import Foundation
import NACHA
import Payments

/// A bank file a profile expects by a time of its day (`"expect": [{"kind": "acknowledgement",
/// "by": "18:30"}]`): not received by then, the watch raises `bank_file_missing`.
public struct ExpectedBankFile: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case acknowledgement, returns, settlement, arp, exceptions

        /// The bank files of this kind, as ingest recognises them.
        public var inboundKind: InboundKind {
            switch self {
            case .acknowledgement: .fedACHAcknowledgement
            case .returns: .nacha
            case .settlement: .bai2
            case .arp: .arpOutput
            case .exceptions: .checkExceptions
            }
        }
    }

    public var kind: Kind
    /// The time of the profile's day it is due by.
    public var by: ACHTime
    /// Only on the profile's banking days (`"days": "banking"`), else every day.
    public var bankingDaysOnly: Bool

    public init(kind: Kind, by: ACHTime, bankingDaysOnly: Bool) {
        self.kind = kind
        self.by = by
        self.bankingDaysOnly = bankingDaysOnly
    }

    /// Today's (in `schedule`'s zone) missing file: its key and what to say, when it was due by
    /// `now` and no file of its kind has arrived since the day began. Each day is its own alert; at
    /// the day's end it resolves with the day.
    func missing(profile: String, schedule: CutoffSchedule, received: [InboundFile], at now: Date) -> [String: String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = schedule.timeZone
        let day = calendar.startOfDay(for: now)
        let date = schedule.today(at: now)
        if bankingDaysOnly && !schedule.calendar.isBankingDay(date) { return [:] }
        guard let due = calendar.date(byAdding: .minute, value: by.minutes, to: day), now >= due,
              !received.contains(where: { $0.kind == kind.inboundKind && $0.receivedAt >= day }) else { return [:] }
        return ["\(profile)/\(kind.rawValue)/\(date)": "profile \(profile): no \(kind.rawValue) file from the bank by \(CutoffWindow.text(by)) "
                + "\(schedule.timeZone.identifier) on \(date)"]
    }
}
