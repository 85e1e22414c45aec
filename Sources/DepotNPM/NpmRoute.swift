import DepotCore
import Foundation

/// A request path below `/{domain}/{repo}/npm/`, parsed strictly. Each segment is percent-decoded once;
/// a segment that decodes to `.`/`..`, contains NUL, a backslash or a stray `/` is refused with 400.
enum NpmRoute: Equatable {
    case ping
    case whoami
    case search
    case login(user: String)
    case auditBulk
    case auditQuick
    case distTags(NpmPackageName)
    case distTag(NpmPackageName, tag: String)
    case package(NpmPackageName)
    case packageRevision(NpmPackageName, revision: String)
    case packageVersion(NpmPackageName, version: String)
    case tarball(NpmPackageName, file: String)
    case tarballRevision(NpmPackageName, file: String, revision: String)

    static func parse(rawPath: Substring) throws -> NpmRoute {
        let raw = rawPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !raw.isEmpty, !(raw.count == 1 && raw[0].isEmpty) else { throw notFound }
        var segments = try raw.map(decode)
        if segments.last == "", segments.count > 1 { segments.removeLast() }  // tolerate one trailing slash

        if segments[0] == "-" { return try parseSpecial(Array(segments.dropFirst())) }

        let (name, rest) = try packageName(segments)
        switch rest.count {
        case 0:
            return .package(name)
        case 1:
            return .packageVersion(name, version: try plain(rest[0]))
        case 2 where rest[0] == "-rev":
            return .packageRevision(name, revision: try plain(rest[1]))
        case 2 where rest[0] == "-":
            return .tarball(name, file: try plain(rest[1]))
        case 4 where rest[0] == "-" && rest[2] == "-rev":
            return .tarballRevision(name, file: try plain(rest[1]), revision: try plain(rest[3]))
        default:
            throw notFound
        }
    }

    private static func parseSpecial(_ s: [String]) throws -> NpmRoute {
        switch s.count {
        case 1 where s[0] == "ping": return .ping
        case 1 where s[0] == "whoami": return .whoami
        case 2 where s == ["v1", "search"]: return .search
        case 2 where s[0] == "user" && s[1].hasPrefix("org.couchdb.user:"):
            return .login(user: String(try plain(s[1]).dropFirst("org.couchdb.user:".count)))
        case 5 where s == ["npm", "v1", "security", "advisories", "bulk"]: return .auditBulk
        case 5 where s == ["npm", "v1", "security", "audits", "quick"]: return .auditQuick
        default: break
        }
        guard s.first == "package", s.count >= 3 else { throw notFound }
        let (name, rest) = try packageName(Array(s.dropFirst()))
        switch rest.count {
        case 1 where rest[0] == "dist-tags": return .distTags(name)
        case 2 where rest[0] == "dist-tags": return .distTag(name, tag: try plain(rest[1]))
        default: throw notFound
        }
    }

    /// The name takes one segment (`pkg`, `@scope%2fpkg`) or two (`@scope`, `pkg`).
    private static func packageName(_ segments: [String]) throws -> (NpmPackageName, [String]) {
        let first = segments[0]
        if first.hasPrefix("@"), !first.includes("/") {
            guard segments.count >= 2 else { throw DepotError.badRequest("incomplete scoped package name '\(first)'", code: "InvalidPackageName") }
            return (try NpmPackageName(first + "/" + segments[1]), Array(segments.dropFirst(2)))
        }
        return (try NpmPackageName(first), Array(segments.dropFirst()))
    }

    private static func decode(_ segment: String) throws -> String {
        guard let decoded = segment.utf8.contains(UInt8(ascii: "%")) ? segment.removingPercentEncoding : segment else {
            throw DepotError.badRequest("invalid percent-encoding in the path", code: "InvalidPath")
        }
        guard decoded != ".", decoded != "..", !decoded.includes("\0"), !decoded.includes("\\"),
            !decoded.hasPrefix("/"), !decoded.includes("/.."), !decoded.includes("../")
        else {
            throw DepotError.badRequest("the path contains a forbidden segment", code: "InvalidPath")
        }
        return decoded
    }

    /// A segment that must not contain `/` (everything but a scoped package name).
    private static func plain(_ segment: String) throws -> String {
        guard !segment.isEmpty, !segment.includes("/"), !segment.includes("..") else {
            throw DepotError.badRequest("the path contains a forbidden segment", code: "InvalidPath")
        }
        return segment
    }

    static let notFound = DepotError.notFound("no such npm endpoint", code: "NotFound")
}
