import Foundation
import Payments

extension Settings {
    /// metl's audit signing key: the flag, else `METL_AUDIT_KEY_FILE`, else the configuration's
    /// `audit.signing_key_file`; nil when none is named.
    public func auditSigningKey(_ flag: String?, layers: Layers) throws(ConfigurationError) -> AuditSigningKey? {
        guard let path = layers.value(flag, "METL_AUDIT_KEY_FILE") ?? auditKeyFile else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(.unreadableFile, "cannot read the audit key file \(path)")
        }
        do {
            return try AuditSigningKey(keyFile: [UInt8](data))
        } catch {
            throw ConfigurationError(.invalidValue, "\(path): \(error.message)")
        }
    }
}
