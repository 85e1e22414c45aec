import Foundation

/// Replaces secret values (build secrets, the build token) with `***` in log text.
public struct LogMasker: Sendable {
    /// Longest first, so a secret containing another is masked whole.
    private let secrets: [String]

    public init(secrets values: [String]) {
        // The log is masked line by line, so a multi-line secret (a PEM key, pretty JSON) never appears whole:
        // each of its lines is masked too, unless it is too short to mean anything (`}`, `-----`).
        let lines = values.filter { $0.contains("\n") }.flatMap { value in
            value.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 4 }
        }
        // Very short values would mask ordinary words and tell an attacker nothing anyway.
        secrets = Set((values + lines).filter { $0.count >= 3 }).sorted { $0.count > $1.count }
    }

    public func mask(_ text: String) -> String {
        var masked = text
        for secret in secrets where masked.contains(secret) {
            masked = masked.replacingOccurrences(of: secret, with: "***")
        }
        return masked
    }
}
