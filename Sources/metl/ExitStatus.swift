import ArgumentParser
import Foundation
import MetlConfiguration
import NACHA
import OpenPGP
import Payments
import Pipeline
import SFTP
import Webhooks

/// metl's exit codes, one meaning each, so cron and systemd can act on them. README lists them.
struct ExitStatus: Error, Equatable {
    let code: Int32

    static let success = ExitStatus(code: 0)
    /// The command ran and found problems: a file with errors, some rows or files need attention.
    static let findings = ExitStatus(code: 1)
    /// Bad arguments.
    static let usage = ExitStatus(code: 2)
    /// Input refused as invalid or unreadable (a missing file); nothing was changed.
    static let dataError = ExitStatus(code: 3)
    static let notFound = ExitStatus(code: 4)
    /// Conflicts with what is stored: idempotency key reused, transition refused, duplicate name.
    static let conflict = ExitStatus(code: 5)
    /// Another run holds the lock (cutoff).
    static let lockHeld = ExitStatus(code: 6)
    /// The run's time window was spent before the work finished; it is resumable.
    static let windowMissed = ExitStatus(code: 7)
    /// A required setting is missing or invalid.
    static let configuration = ExitStatus(code: 8)
    /// A server metl needs (the database, the bank's SFTP server) could not be reached: down,
    /// refusing connections, or no route. Nothing was changed; try again once it is back.
    static let unreachable = ExitStatus(code: 9)
    /// Not allowed: the acting operator lacks the role or is disabled, or credentials were refused.
    static let forbidden = ExitStatus(code: 10)
    /// The database or another part failed unexpectedly.
    static let internalError = ExitStatus(code: 70)

    static let summary = "0 ok, 1 findings, 2 usage error, 3 invalid or unreadable input (nothing changed), 4 not found, "
        + "5 conflict, 6 lock held, 7 window missed, 8 configuration error, 9 a server unreachable, 10 not allowed, 70 internal error."

    static func `for`(_ error: any Error) -> ExitStatus {
        switch error {
        // A command that ends with its own status (`findings`) is that status, here as at exit:
        // a job's audit entry records the code the process exits with.
        case let status as ExitStatus: return status
        case let error as PaymentError:
            switch error.code {
            case .invalidRequest, .invalidDocument, .malformedJSON, .deadlinePassed: return .dataError
            case .notFound, .merchantNotFound: return .notFound
            case .idempotencyKeyReused, .invalidTransition, .duplicateMerchant, .duplicateAccount, .duplicateOperator, .invalidStatus:
                return .conflict
            case .forbidden: return .forbidden
            default: return .internalError
            }
        case let error as StoreError:
            switch error.code {
            case .conflict: return .conflict
            case .leaseHeld: return .lockHeld
            case .unreachable: return .unreachable
            case .refused: return .configuration
            default: return .internalError
            }
        case is WebhookError: return .dataError
        case let error as OpenPGPError:
            switch error.code {
            case .invalidFingerprint, .invalidData: return .dataError
            case .unknownKey: return .notFound
            case .unusableKey, .badPassphrase: return .configuration
            default: return .internalError
            }
        case is IOError, is CocoaError, is NACHAInput.NotNACHA: return .dataError
        case is ValidationError: return .usage
        case let error as SFTPError:
            return error.isTransient ? .unreachable : .configuration
        case let error as ConfigurationError: return error.isUsage ? .usage : .configuration
        case let error as PipelineError: return error.exitStatus
        default:
            let code = Metl.exitCode(for: error)
            if code == .success { return .success }
            return code == .validationFailure ? .usage : .internalError
        }
    }

    /// The POSIX reason under a Foundation file error, else its own description.
    static func reason(_ error: CocoaError) -> String {
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error, (underlying as NSError).domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32((underlying as NSError).code)))
        }
        switch error.code {
        case .fileReadNoSuchFile, .fileNoSuchFile: return String(cString: strerror(ENOENT))
        case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
        default: return error.localizedDescription
        }
    }

    /// What to tell the user, one line each.
    static func message(for error: any Error) -> [String] {
        switch error {
        case let error as PaymentError:
            [error.message] + error.fieldErrors.map { "  \($0.field): \($0.message)" }
        case let error as StoreError:
            [error.message]
        case let error as CocoaError:
            // The system's reason (No such file or directory, Permission denied), not Foundation's dump.
            [(error.code.rawValue >= CocoaError.fileWriteUnknown.rawValue ? "cannot write " : "cannot open ")
                + "\(error.filePath ?? "the file"): \(Self.reason(error))"]
        case let error as ValidationError:
            [error.message]
        case let error as ConfigurationError:
            error.problems
        case let error as PipelineError:
            [error.message]
        default:
            [String(describing: error)]
        }
    }
}
