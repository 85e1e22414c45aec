import DepotCore
import Foundation

/// A request path below `/{domain}/{repo}/cargo/`, parsed strictly: the sparse index (`config.json` and the
/// crate files at exactly their paths) and the web API Cargo calls. A segment that is empty, `.`/`..`, or holds a
/// backslash, NUL or percent-encoding is refused with 400.
enum CargoRoute: Equatable {
    case config
    case indexFile(CargoCrateName)
    case publish
    case search
    case download(CargoCrateName, version: CargoVersion)
    case yank(CargoCrateName, version: CargoVersion)
    case unyank(CargoCrateName, version: CargoVersion)
    case owners(CargoCrateName)

    static func parse(rawPath: Substring) throws -> CargoRoute {
        var segments = rawPath.split(separator: "/", omittingEmptySubsequences: false)
        if segments.count > 1, segments.last == "" { segments.removeLast() }  // tolerate one trailing slash
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != "..",
                !segment.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0 || $0 == UInt8(ascii: "%") })
            else {
                throw DepotError.badRequest("the path contains a forbidden segment", code: "InvalidPath")
            }
        }
        if segments == ["config.json"] { return .config }
        if segments.first == "api" { return try api(Array(segments.dropFirst())) }
        guard let name = CargoIndexPath.crate(atPath: segments) else { throw notFound }
        return .indexFile(name)
    }

    private static func api(_ s: [Substring]) throws -> CargoRoute {
        guard s.count >= 2, s[0] == "v1", s[1] == "crates" else { throw notFound }
        let rest = s.dropFirst(2)
        switch rest.count {
        case 0: return .search
        case 1 where rest.first == "new": return .publish
        case 2 where rest.last == "owners": return .owners(try CargoCrateName(String(rest.first!)))
        case 3:
            let parts = Array(rest)
            let name = try CargoCrateName(String(parts[0]))
            guard let version = CargoVersion(String(parts[1])) else { throw CargoVersion.invalid(String(parts[1])) }
            switch parts[2] {
            case "download": return .download(name, version: version)
            case "yank": return .yank(name, version: version)
            case "unyank": return .unyank(name, version: version)
            default: throw notFound
            }
        default: throw notFound
        }
    }

    static let notFound = DepotError.notFound("no such Cargo registry endpoint", code: "NotFound")
}
