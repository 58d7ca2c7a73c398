import Foundation
import Payments

extension Settings {
    /// Where checkpoints are also sent: `METL_AUDIT_CHECKPOINT_URL`, else `audit.checkpoint_url`.
    public func auditCheckpointURL(layers: Layers) -> String? { layers.value(nil, "METL_AUDIT_CHECKPOINT_URL") ?? auditCheckpointURL }

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
