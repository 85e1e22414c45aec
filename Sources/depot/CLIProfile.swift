/// One named set of client settings in `~/.config/depot/config.toml`: a server, its token, its private CA.
struct CLIProfile: Sendable, Equatable {
    var url: String?
    var token: String?
    var caCertificate: String?

    /// The profile's keys as the file spells them, in the order they are written.
    static let keys = ["url", "token", "ca_cert"]

    subscript(key: String) -> String? {
        get {
            switch key {
            case "url": url
            case "token": token
            case "ca_cert": caCertificate
            default: nil
            }
        }
        set {
            switch key {
            case "url": url = newValue
            case "token": token = newValue
            case "ca_cert": caCertificate = newValue
            default: break
            }
        }
    }

    /// Profile names are TOML bare keys, so the file needs no quoting rules for them.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    /// A token as `depot configure list` shows it: never the secret itself, only enough to tell two apart.
    static func masked(_ token: String?) -> String {
        guard let token, !token.isEmpty else { return "-" }
        return token.count >= 16 ? "****" + token.suffix(4) : "****"
    }
}
