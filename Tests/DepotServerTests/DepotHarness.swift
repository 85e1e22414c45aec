import DepotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import DepotServer

/// A whole Depot (real router, SQLite and blob store in a temporary directory) driven through
/// `app.test(.router)`, with the bootstrap admin token read from `<storage>/admin.token`; `live`: the server
/// `depot serve` runs (its connection handlers and edge cache too) on a free port, driven over HTTP/1.1.
struct Depot: Sendable {
    enum Auth: Sendable {
        case admin
        case anonymous
        case bearer(String)
        case basic(user: String, password: String)
    }

    let client: any TestClientProtocol
    let adminToken: String
    let storage: URL

    /// Builds a server in a fresh temporary storage directory, runs `test`, and removes the directory.
    static func run(
        live: Bool = false,
        configure: (inout DepotConfiguration) -> Void = { _ in },
        _ test: @Sendable (Depot) async throws -> Void
    ) async throws {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("depot-server-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        var configuration = DepotConfiguration()
        configuration.storagePath = storage.path
        configure(&configuration)
        var logger = Logger(label: "depot-server-tests")
        logger.logLevel = .error
        if live {
            configuration.port = 0
            let app = try await buildApplication(configuration: configuration, logger: logger)
            let token = try String(contentsOf: storage.appendingPathComponent("admin.token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try await app.test(.live) { client in
                try await test(Depot(client: client, adminToken: token, storage: storage))
            }
            return
        }
        let parts = try buildServerParts(configuration: configuration, logger: logger)
        try await ensureBootstrapToken(configuration: configuration, access: parts.access, logger: logger)
        let token = try String(contentsOf: storage.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let app = Application(router: parts.router, logger: logger)
        try await app.test(.router) { client in
            try await test(Depot(client: client, adminToken: token, storage: storage))
        }
    }

    // MARK: Requests

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, auth: Auth = .admin, headers: HTTPFields = [:], body: [UInt8]? = nil
    ) async throws -> TestResponse {
        var headers = headers
        switch auth {
        case .admin: headers[.authorization] = "Bearer \(adminToken)"
        case .anonymous: break
        case .bearer(let token): headers[.authorization] = "Bearer \(token)"
        case .basic(let user, let password):
            headers[.authorization] = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
        return try await client.executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// Sends `json` (any JSONSerialization value) as the body.
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, auth: Auth = .admin, json: Any, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])
        return try await request(method, uri, auth: auth, headers: headers, body: Array(data))
    }

    // MARK: Set-up shortcuts

    func createDomain(_ name: String) async throws {
        let response = try await request(.post, "/api/v1/domains", json: ["name": name])
        try #require(response.status == .created, "create domain \(name): \(response.text)")
    }

    func createRepository(
        _ name: String, in domain: String = "acme", upstreams: [String]? = nil, externalConnection: String? = nil
    ) async throws {
        var body: [String: Any] = ["name": name]
        if let upstreams { body["upstreams"] = upstreams }
        if let externalConnection { body["externalConnection"] = externalConnection }
        let response = try await request(.post, "/api/v1/domains/\(domain)/repositories", json: body)
        try #require(response.status == .created, "create repository \(name): \(response.text)")
    }

    /// Mints a token for `domain` with the admin token; returns (id, secret).
    func createToken(
        in domain: String = "acme", repositories: [String]? = nil, permissions: [String], auth: Auth = .admin
    ) async throws -> (id: String, secret: String) {
        var body: [String: Any] = ["permissions": permissions]
        if let repositories { body["repositories"] = repositories }
        let response = try await request(.post, "/api/v1/domains/\(domain)/tokens", auth: auth, json: body)
        try #require(response.status == .created, "create token: \(response.text)")
        let object = try response.object()
        return (try #require(object["id"] as? String), try #require(object["token"] as? String))
    }

    /// Domain `acme` with repository `main`.
    func standardSetup() async throws {
        try await createDomain("acme")
        try await createRepository("main")
    }

    /// Publishes one version through the npm route; returns the response.
    @discardableResult
    func publish(
        _ name: String, version: String = "1.0.0", tarball: [UInt8], repository: String = "main", auth: Auth = .admin,
        readme: String = "# readme", distTags: [String: String]? = nil, integrity: String? = nil, shasum: String? = nil,
        npmStyle: Bool = true
    ) async throws -> TestResponse {
        let body = try NpmPublish.body(
            name: name, version: version, tarball: tarball, readme: readme, distTags: distTags, integrity: integrity, shasum: shasum,
            npmStyle: npmStyle)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return try await request(
            .put, "/acme/\(repository)/npm/\(NpmPublish.escaped(name))", auth: auth, headers: headers, body: body)
    }

    /// Every regular file below `<storage>/blobs` (committed blobs and temporary files).
    func blobFiles() -> [String] {
        let root = storage.appendingPathComponent("blobs")
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(path)
            }
        }
        return files.sorted()
    }
}

extension TestResponse {
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }
    var bytes: [UInt8] { Array(body.readableBytesView) }

    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        return try #require(value as? [String: Any], "not a JSON object: \(text)", sourceLocation: sourceLocation)
    }

    /// The management API's error `{"error": {"code", "message"}}`: returns the code after checking the shape.
    func apiErrorCode(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let error = try #require(try object()["error"] as? [String: Any], "no error object: \(text)", sourceLocation: sourceLocation)
        let message = try #require(error["message"] as? String, sourceLocation: sourceLocation)
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
        return try #require(error["code"] as? String, sourceLocation: sourceLocation)
    }
}

enum NpmPublish {
    static func digests(_ bytes: [UInt8]) -> BlobDigests {
        var hasher = MultiHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    static func integrity(_ bytes: [UInt8]) -> String {
        "sha512-" + Data(Hex.decode(digests(bytes).sha512)!).base64EncodedString()
    }

    static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "/", with: "%2f")
    }

    static func unscoped(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }

    /// Some deterministic "tarball" bytes.
    static func tarball(_ seed: UInt8 = 1, count: Int = 3000) -> [UInt8] {
        var state = UInt32(seed) &* 2_654_435_761 &+ 12345
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// The JSON body npm 10 sends on `npm publish` (libnpmpublish: the attachment is named `<full name>-<version>.tgz`,
    /// slashes are not escaped). With `npmStyle: false`, the attachment gets the unscoped file name and every `/` in the
    /// JSON text is written as `\/` (what JSONSerialization and some other clients produce).
    static func body(
        name: String, version: String, tarball: [UInt8], readme: String, distTags: [String: String]? = nil,
        integrity: String? = nil, shasum: String? = nil, npmStyle: Bool = true
    ) throws -> [UInt8] {
        let file = npmStyle ? "\(name)-\(version).tgz" : "\(unscoped(name))-\(version).tgz"
        let manifest: [String: Any] = [
            "name": name, "version": version, "description": "the \(name) package", "main": "index.js",
            "scripts": ["test": "node test.js"], "dependencies": ["left-pad": "^1.3.0"], "readme": readme,
            "_id": "\(name)@\(version)", "_nodeVersion": "20.11.0", "_npmVersion": "10.2.4",
            "dist": [
                "integrity": integrity ?? Self.integrity(tarball), "shasum": shasum ?? digests(tarball).sha1,
                "tarball": "http://localhost:4873/\(name)/-/\(unscoped(name))-\(version).tgz",
            ],
        ]
        let document: [String: Any] = [
            "_id": name, "name": name, "description": "the \(name) package", "dist-tags": distTags ?? ["latest": version],
            "versions": [version: manifest], "access": NSNull(), "readme": readme,
            "_attachments": [
                file: ["content_type": "application/octet-stream", "data": Data(tarball).base64EncodedString(), "length": tarball.count]
                    as [String: Any]
            ],
        ]
        return Array(try JSONSerialization.data(withJSONObject: document, options: npmStyle ? [.withoutEscapingSlashes] : []))
    }
}
