/// Replaces secret values (build secrets, the build token) with `***` in log text.
public struct LogMasker: Sendable {
    /// Longest first, so a secret containing another is masked whole.
    private let secrets: [String]

    public init(secrets values: [String]) {
        // Very short values would mask ordinary words and tell an attacker nothing anyway.
        secrets = Set(values.filter { $0.count >= 3 }).sorted { $0.count > $1.count }
    }

    public func mask(_ text: String) -> String {
        var masked = text
        for secret in secrets where masked.contains(secret) {
            masked = masked.replacingOccurrences(of: secret, with: "***")
        }
        return masked
    }
}
