import Foundation
import GRDB
import Payments

extension SQLiteStore: OperatorSessionStore {
    public func startSession(_ session: OperatorSession) async throws {
        try await write("starting a console session") { db in
            try db.execute(sql: """
                INSERT INTO operator_sessions (key, operator_name, csrf, created_at, last_seen_at, notice, notice_is_error)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [session.key, session.operatorName, session.csrf, Self.milliseconds(session.createdAt),
                                 Self.milliseconds(session.lastSeen), session.notice?.text, session.notice?.isError ?? false])
        }
    }

    public func session(key: String) async throws -> OperatorSession? {
        try await read("reading a console session") { db in
            try Row.fetchOne(db, sql: """
                SELECT key, operator_name, csrf, created_at, last_seen_at, notice, notice_is_error FROM operator_sessions WHERE key = ?
                """, arguments: [key]).map { row in
                OperatorSession(key: row["key"], operatorName: row["operator_name"], csrf: row["csrf"], createdAt: Self.date(row["created_at"]),
                                lastSeen: Self.date(row["last_seen_at"]),
                                notice: (row["notice"] as String?).map { OperatorSession.Notice(text: $0, isError: row["notice_is_error"]) })
            }
        }
    }

    public func touchSession(key: String, at: Date) async throws {
        try await write("recording a console session's use") { db in
            try db.execute(sql: "UPDATE operator_sessions SET last_seen_at = ? WHERE key = ?", arguments: [Self.milliseconds(at), key])
        }
    }

    public func setSessionNotice(key: String, _ notice: OperatorSession.Notice?) async throws {
        try await write("recording a console notice") { db in
            try db.execute(sql: "UPDATE operator_sessions SET notice = ?, notice_is_error = ? WHERE key = ?",
                           arguments: [notice?.text, notice?.isError ?? false, key])
        }
    }

    public func endSession(key: String) async throws {
        try await write("ending a console session") { db in
            try db.execute(sql: "DELETE FROM operator_sessions WHERE key = ?", arguments: [key])
        }
    }

    public func endSessions(operatorName: String, keeping: String?) async throws {
        try await write("ending an operator's console sessions") { db in
            try db.execute(sql: "DELETE FROM operator_sessions WHERE operator_name = ? AND key IS NOT ?", arguments: [operatorName, keeping])
        }
    }

    public func purgeSessions(lastSeenBefore: Date, createdBefore: Date) async throws {
        try await write("forgetting ended console sessions") { db in
            try db.execute(sql: "DELETE FROM operator_sessions WHERE last_seen_at < ? OR created_at < ?",
                           arguments: [Self.milliseconds(lastSeenBefore), Self.milliseconds(createdBefore)])
        }
    }

    public func recordSignInRefusal(name: String, at: Date, forgettingBefore: Date) async throws {
        try await write("recording a refused sign-in") { db in
            try db.execute(sql: "DELETE FROM sign_in_refusals WHERE refused_at < ?", arguments: [Self.milliseconds(forgettingBefore)])
            try db.execute(sql: "INSERT INTO sign_in_refusals (name, refused_at) VALUES (?, ?)", arguments: [name, Self.milliseconds(at)])
        }
    }

    public func signInRefusals(name: String, since: Date) async throws -> [Date] {
        try await read("reading refused sign-ins") { db in
            try Int64.fetchAll(db, sql: "SELECT refused_at FROM sign_in_refusals WHERE name = ? AND refused_at >= ? ORDER BY refused_at, id",
                               arguments: [name, Self.milliseconds(since)]).map(Self.date)
        }
    }

    public func clearSignInRefusals(name: String) async throws {
        try await write("forgetting refused sign-ins") { db in
            try db.execute(sql: "DELETE FROM sign_in_refusals WHERE name = ?", arguments: [name])
        }
    }
}
