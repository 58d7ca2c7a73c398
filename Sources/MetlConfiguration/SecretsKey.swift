import Foundation
import Payments

extension Settings {
    /// The key that seals secrets metl keeps in the database (operators' TOTP secrets): the file
    /// `flag`, else `METL_SECRETS_KEY_FILE` names; nil when neither does.
    public func secretsKey(_ flag: String?, layers: Layers) throws(ConfigurationError) -> SealedSecret? {
        guard let path = layers.value(flag, "METL_SECRETS_KEY_FILE") else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(.unreadableFile, "cannot read the secrets key file \(path)")
        }
        do {
            return try SealedSecret(keyFile: [UInt8](data))
        } catch {
            throw ConfigurationError(.invalidValue, "\(path): \(error.message)")
        }
    }
}
