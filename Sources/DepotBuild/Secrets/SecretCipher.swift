import Crypto
import DepotCore
import Foundation

/// Seals build secrets with AES-GCM under a 256-bit key kept in a file of the storage directory (mode 0600),
/// created on first use. The database alone does not reveal a secret.
public struct SecretCipher: Sendable {
    /// Raw bytes: SymmetricKey is not Sendable.
    private let keyBytes: Data

    public init(key: SymmetricKey) {
        keyBytes = key.withUnsafeBytes { Data($0) }
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Loads the key from `file`, creating it (0600) when missing.
    public static func loadingKey(from file: URL) throws -> SecretCipher {
        if let data = FileManager.default.contents(atPath: file.path) {
            guard data.count == 32 else { throw SecretCipherError(message: "\(file.path) does not hold a 256-bit key") }
            return SecretCipher(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        // Another process may have created the key meanwhile: then that one is the key.
        guard try SecretFile.create(atPath: file.path, contents: key.withUnsafeBytes { Data($0) }) else { return try loadingKey(from: file) }
        return SecretCipher(key: key)
    }

    /// `name` is bound in as authenticated data, so a sealed value cannot be moved to another secret.
    public func seal(_ value: String, name: String) throws -> Data {
        guard let combined = try AES.GCM.seal(Data(value.utf8), using: key, authenticating: Data(name.utf8)).combined else {
            throw SecretCipherError(message: "cannot seal the secret")
        }
        return combined
    }

    public func open(_ sealed: Data, name: String) throws -> String {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return String(decoding: try AES.GCM.open(box, using: key, authenticating: Data(name.utf8)), as: UTF8.self)
    }
}

public struct SecretCipherError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
