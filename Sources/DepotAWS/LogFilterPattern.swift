import DepotCore
import Foundation

/// CloudWatch Logs' filter pattern for unstructured lines: terms that must all appear (`ERROR build`), phrases in
/// double quotes (`"exit status 1"`), terms of which one must appear (`?ERROR ?WARN`), terms that must not (`-DEBUG`).
/// Matching is case-sensitive, as CloudWatch's is. JSON (`{ $.x = 1 }`) and space-delimited (`[a, b]`) patterns are
/// refused: build logs are lines of text.
struct LogFilterPattern: Equatable {
    static let maximumLength = 1024

    var required: [String] = []
    var anyOf: [String] = []
    var excluded: [String] = []

    struct Unsupported: Error, Equatable {
        let message: String
    }

    init(_ pattern: String) throws {
        guard pattern.utf8.count <= Self.maximumLength else { throw Unsupported(message: "filterPattern is longer than 1024 bytes") }
        let trimmed = pattern.trimmingCharacters(in: .whitespaces)
        guard !trimmed.hasPrefix("{"), !trimmed.hasPrefix("[") else {
            throw Unsupported(message: "JSON and space-delimited filter patterns are not supported: use terms, \"phrases\", ?terms and -terms")
        }
        var rest = Substring(trimmed)
        while let first = rest.first {
            if first == " " {
                rest = rest.dropFirst()
                continue
            }
            var mark: Character?
            if first == "?" || first == "-" {
                mark = first
                rest = rest.dropFirst()
            }
            let term: String
            if rest.first == "\"" {
                rest = rest.dropFirst()
                guard let close = rest.firstIndex(of: "\"") else { throw Unsupported(message: "filterPattern has an unclosed quote") }
                term = String(rest[..<close])
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                term = String(rest[..<end])
                rest = rest[end...]
            }
            guard !term.isEmpty else { continue }
            switch mark {
            case "?": anyOf.append(term)
            case "-": excluded.append(term)
            default: required.append(term)
            }
        }
    }

    /// An empty pattern matches every line. Terms are compared byte by byte (`includes`): Foundation's `contains`
    /// traps on some lines a build can print (found by the `aws-logs` fuzz target).
    func matches(_ message: String) -> Bool {
        required.allSatisfy { message.includes($0) } && (anyOf.isEmpty || anyOf.contains { message.includes($0) })
            && !excluded.contains { message.includes($0) }
    }
}
