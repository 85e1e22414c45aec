import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, bounded, as a dictionary (repeated fields: `values(_:)`).
struct ConsoleForm: Sendable {
    static let maximumSize = 64 * 1024
    private let pairs: [(String, String)]

    init(_ body: String) {
        pairs = body.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = parts.first.flatMap(decode) else { return nil }
            return (name, parts.count > 1 ? decode(parts[1]) ?? "" : "")
        }
    }

    static func read(_ request: Request) async throws -> ConsoleForm {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: maximumSize) else {
            throw DepotError.tooLarge("a console form is at most \(maximumSize) bytes")
        }
        return ConsoleForm(String(buffer: buffer))
    }

    subscript(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    func values(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }
}
