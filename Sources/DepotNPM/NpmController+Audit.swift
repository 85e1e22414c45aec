import CompressNIO
import DepotCore
import DepotHTTP
import Foundation
import Hummingbird

extension NpmController {
    enum AuditEndpoint {
        case bulk, quick

        var path: String {
            switch self {
            case .bulk: "-/npm/v1/security/advisories/bulk"
            case .quick: "-/npm/v1/security/audits/quick"
            }
        }
    }

    static let maxAuditBody = 32 << 20

    /// npm audit: forwarded to the npm external connection the repository reaches, without internal package
    /// names and without the caller's credentials; an empty, valid answer when there is no connection.
    func audit(_ endpoint: AuditEndpoint, request: Request, target: Target) async throws -> Response {
        guard let connection = try await upstreams.externalConnection(for: NpmFormat.id, from: target.repository) else {
            return Self.json(endpoint == .bulk ? [String: Any]() : Self.emptyAuditReport)
        }
        let maxSize = min(Self.maxAuditBody, limits.maxJSONSize)
        var body = try await BodyStreaming.collect(request, limit: maxSize)
        if (request.headers[.contentEncoding] ?? "").lowercased().contains("gzip") {
            do {
                body = try body.decompress(with: .gzip(), maxSize: maxSize)
            } catch {
                throw DepotError.badRequest("the gzipped audit body is corrupt or too large", code: "MalformedBody")
            }
        }
        try body.withUnsafeReadableBytes { try JSONNesting.check($0, limits: limits) }
        guard let document = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw DepotError.badRequest("the audit body is not a JSON object", code: "MalformedBody")
        }
        let internalNames = try await internalNames(in: document, endpoint: endpoint, target: target)
        let filtered = Self.forwardable(document, removing: internalNames, endpoint: endpoint)
        let answer = try await upstreams.post(
            try JSONSerialization.data(withJSONObject: filtered), path: endpoint.path, contentType: "application/json", to: connection)
        guard answer.status == 200, (try? JSONSerialization.jsonObject(with: answer.body)) != nil else {
            throw DepotError.badGateway("\(connection.name) answered the audit with \(answer.status)")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// The names in an audit request that belong to this domain (or are not valid npm names at all).
    private func internalNames(in document: [String: Any], endpoint: AuditEndpoint, target: Target) async throws -> Set<String> {
        var names: Set<String> = []
        switch endpoint {
        case .bulk:
            names.formUnion(document.keys)
        case .quick:
            Self.collectNames(document, into: &names)
        }
        var result: Set<String> = []
        for name in names {
            guard let parsed = try? NpmPackageName(name) else {
                result.insert(name)
                continue
            }
            if try await upstreams.isInternal(parsed.key, from: target.repository) { result.insert(name) }
        }
        return result
    }

    /// Names in a quick-audit tree: `requires` and `dependencies`, recursively.
    static func collectNames(_ node: [String: Any], into names: inout Set<String>) {
        if let requires = node["requires"] as? [String: Any] { names.formUnion(requires.keys) }
        if let dependencies = node["dependencies"] as? [String: Any] {
            for (name, child) in dependencies {
                names.insert(name)
                if let child = child as? [String: Any] { collectNames(child, into: &names) }
            }
        }
    }

    /// What is sent upstream: the document without internal names and, for a quick audit, with the root
    /// project's own name and version (likely internal too) replaced by placeholders, as npm's endpoint wants both.
    static func forwardable(_ document: [String: Any], removing names: Set<String>, endpoint: AuditEndpoint) -> [String: Any] {
        var filtered = removing(names, from: document, endpoint: endpoint)
        if endpoint == .quick {
            filtered["name"] = "project"
            filtered["version"] = "0.0.0"
        }
        return filtered
    }

    static func removing(_ names: Set<String>, from document: [String: Any], endpoint: AuditEndpoint) -> [String: Any] {
        switch endpoint {
        case .bulk:
            return document.filter { !names.contains($0.key) }
        case .quick:
            var node = document
            if let requires = node["requires"] as? [String: Any] { node["requires"] = requires.filter { !names.contains($0.key) } }
            if let dependencies = node["dependencies"] as? [String: Any] {
                node["dependencies"] = dependencies.filter { !names.contains($0.key) }.mapValues { child in
                    (child as? [String: Any]).map { removing(names, from: $0, endpoint: .quick) } ?? child
                }
            }
            return node
        }
    }
}
