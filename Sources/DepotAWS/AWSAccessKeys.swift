import Crypto
import DepotCore
import Foundation

/// AWS access key pairs for Depot tokens. The key id names the token (`DPAK` + its id in upper case, 20 characters
/// like AWS's); the secret is HMAC-SHA256 of the key id under a server key kept in a file of the storage directory
/// (mode 0600). Nothing about the secret is stored: it is derived again to check a signature, and the token's own
/// scope, expiry and revocation decide what the key may do.
public struct AWSAccessKeys: Sendable {
    static let keyIDPrefix = "DPAK"
    /// Raw bytes: SymmetricKey is not Sendable.
    private let keyBytes: Data

    public init(serverKey: Data) {
        keyBytes = serverKey
    }

    /// Loads the server key from `file`, creating it (0600) when missing.
    public static func loadingKey(from file: URL) throws -> AWSAccessKeys {
        if let data = FileManager.default.contents(atPath: file.path) {
            guard data.count == 32 else { throw DepotError(.internalError, code: "BadKeyFile", "\(file.path) does not hold a 256-bit key") }
            return AWSAccessKeys(serverKey: data)
        }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // Another process may have created the key meanwhile: then that one is the key.
        guard try SecretFile.create(atPath: file.path, contents: key) else { return try loadingKey(from: file) }
        return AWSAccessKeys(serverKey: key)
    }

    /// The key pair of a token.
    public func keyPair(forTokenID tokenID: String) -> (accessKeyID: String, secretAccessKey: String) {
        let id = Self.keyIDPrefix + tokenID.uppercased()
        return (id, secret(forAccessKeyID: id))
    }

    /// The token an access key id names; nil when it is not one of Depot's.
    public static func tokenID(fromAccessKeyID keyID: String) -> String? {
        guard keyID.hasPrefix(keyIDPrefix), (5...64).contains(keyID.utf8.count) else { return nil }
        let rest = keyID.dropFirst(keyIDPrefix.count)
        guard rest.utf8.allSatisfy({ ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "2") && $0 <= UInt8(ascii: "7")) })
        else { return nil }
        return rest.lowercased()
    }

    /// 40 characters of base64 (AWS's secret length), without `+` and `/` so it survives shells and config files.
    func secret(forAccessKeyID keyID: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(keyID.utf8), using: SymmetricKey(data: keyBytes))
        let text = Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "A").replacingOccurrences(of: "/", with: "B")
        return String(text.prefix(40))
    }
}
