import Foundation
import Payments
import PostgresNIO

extension PostgresStore: OperatorSessionStore {
    public func startSession(_ session: OperatorSession) async throws {
        try await transaction("starting a console session") { connection in
            try await connection.count("""
                INSERT INTO operator_sessions (key, operator_name, csrf, created_at, last_seen_at, notice, notice_is_error)
                VALUES (\(session.key), \(session.operatorName), \(session.csrf), \(Self.milliseconds(session.createdAt)),
                        \(Self.milliseconds(session.lastSeen)), \(session.notice?.text), \(session.notice?.isError ?? false))
                """)
        }
    }

    public func session(key: String) async throws -> OperatorSession? {
        try await read("reading a console session") { connection in
            try await connection.rows("""
                SELECT key, operator_name, csrf, created_at, last_seen_at, notice, notice_is_error FROM operator_sessions WHERE key = \(key)
                """).first.map { row in
                let (key, name, csrf, created, seen, notice, isError) = try row.decode((String, String, String, Int64, Int64, String?, Bool).self)
                return OperatorSession(key: key, operatorName: name, csrf: csrf, createdAt: Self.date(created), lastSeen: Self.date(seen),
                                       notice: notice.map { OperatorSession.Notice(text: $0, isError: isError) })
            }
        }
    }

    public func touchSession(key: String, at: Date) async throws {
        try await transaction("recording a console session's use") { connection in
            try await connection.count("UPDATE operator_sessions SET last_seen_at = \(Self.milliseconds(at)) WHERE key = \(key)")
        }
    }

    public func setSessionNotice(key: String, _ notice: OperatorSession.Notice?) async throws {
        try await transaction("recording a console notice") { connection in
            try await connection.count("""
                UPDATE operator_sessions SET notice = \(notice?.text), notice_is_error = \(notice?.isError ?? false) WHERE key = \(key)
                """)
        }
    }

    public func endSession(key: String) async throws {
        try await transaction("ending a console session") { connection in
            try await connection.count("DELETE FROM operator_sessions WHERE key = \(key)")
        }
    }

    public func endSessions(operatorName: String, keeping: String?) async throws {
        try await transaction("ending an operator's console sessions") { connection in
            try await connection.count("""
                DELETE FROM operator_sessions WHERE operator_name = \(operatorName) AND key IS DISTINCT FROM \(keeping)
                """)
        }
    }

    public func purgeSessions(lastSeenBefore: Date, createdBefore: Date) async throws {
        try await transaction("forgetting ended console sessions") { connection in
            try await connection.count("""
                DELETE FROM operator_sessions
                WHERE last_seen_at < \(Self.milliseconds(lastSeenBefore)) OR created_at < \(Self.milliseconds(createdBefore))
                """)
        }
    }

    public func recordSignInRefusal(name: String, at: Date, forgettingBefore: Date) async throws {
        try await transaction("recording a refused sign-in") { connection in
            try await connection.count("DELETE FROM sign_in_refusals WHERE refused_at < \(Self.milliseconds(forgettingBefore))")
            try await connection.count("INSERT INTO sign_in_refusals (name, refused_at) VALUES (\(name), \(Self.milliseconds(at)))")
        }
    }

    public func signInRefusals(name: String, since: Date) async throws -> [Date] {
        try await read("reading refused sign-ins") { connection in
            try await connection.rows("""
                SELECT refused_at FROM sign_in_refusals WHERE name = \(name) AND refused_at >= \(Self.milliseconds(since)) ORDER BY refused_at, id
                """).map { Self.date(try $0.decode(Int64.self)) }
        }
    }

    public func clearSignInRefusals(name: String) async throws {
        try await transaction("forgetting refused sign-ins") { connection in
            try await connection.count("DELETE FROM sign_in_refusals WHERE name = \(name)")
        }
    }
}
