import Foundation
import GRDB

/// What a receiver remembers: event ids it has taken, and the highest version seen per payment,
/// check or exception (their ids never collide: each kind has its own prefix).
public protocol ReceiverStore: Sendable {
    /// Records the event atomically: `.duplicate` when its id was seen, `.stale` when the subject is
    /// already at this version or later, else `.accepted` with the version known before.
    func record(eventID: String, subjectID: String, version: Int) async throws -> RecordOutcome
    /// Raises the subject's known version (after applying the authoritative status).
    func advance(subjectID: String, to version: Int) async throws
}

public enum RecordOutcome: Sendable, Hashable {
    case duplicate
    case stale(knownVersion: Int)
    case accepted(previousVersion: Int?)
}

/// For tests and single-process receivers that may forget on restart.
public actor InMemoryReceiverStore: ReceiverStore {
    private var seen: Set<String> = []
    private var versions: [String: Int] = [:]

    public init() {}

    public func record(eventID: String, subjectID: String, version: Int) -> RecordOutcome {
        guard seen.insert(eventID).inserted else { return .duplicate }
        let known = versions[subjectID]
        if let known, known >= version { return .stale(knownVersion: known) }
        versions[subjectID] = version
        return .accepted(previousVersion: known)
    }

    public func advance(subjectID: String, to version: Int) {
        versions[subjectID] = max(versions[subjectID] ?? 0, version)
    }
}

/// Durable memory in a SQLite file (GRDB), safe to share between receiver processes.
public final class SQLiteReceiverStore: ReceiverStore {
    private let queue: DatabaseQueue

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS received_events (event_id TEXT PRIMARY KEY NOT NULL, received_at REAL NOT NULL);
                CREATE TABLE IF NOT EXISTS subject_versions (subject_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL);
                """)
        }
    }

    public func record(eventID: String, subjectID: String, version: Int) async throws -> RecordOutcome {
        try await queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO received_events (event_id, received_at) VALUES (?, ?)",
                           arguments: [eventID, Date().timeIntervalSince1970])
            guard db.changesCount == 1 else { return .duplicate }
            let known = try Int.fetchOne(db, sql: "SELECT version FROM subject_versions WHERE subject_id = ?", arguments: [subjectID])
            if let known, known >= version { return .stale(knownVersion: known) }
            try db.execute(sql: "INSERT OR REPLACE INTO subject_versions (subject_id, version) VALUES (?, ?)", arguments: [subjectID, version])
            return .accepted(previousVersion: known)
        }
    }

    public func advance(subjectID: String, to version: Int) async throws {
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO subject_versions (subject_id, version) VALUES (?, ?)
                ON CONFLICT (subject_id) DO UPDATE SET version = MAX(version, excluded.version)
                """, arguments: [subjectID, version])
        }
    }
}
