import Foundation
import Testing

/// Uploads no client would send, and reads that try to leave the repository: each gets a 4xx, nothing is stored,
/// and the server keeps serving. A valid upload built the same way at the end proves the bodies were well formed.
@Suite("PyPI bad input")
struct PyPIBadInputTests {
    /// Writes hand-made distributions with the tools' python: an sdist (`name-version/PKG-INFO`) and a wheel
    /// (`.dist-info/METADATA`, `WHEEL`, `RECORD`), or a zip without any metadata. An optional last argument
    /// is the name written into the metadata, to make a distribution that lies about its project.
    static let makeDistribution = """
        import io, sys, tarfile, zipfile
        kind, name, version, out = sys.argv[1:5]
        body = sys.argv[5] if len(sys.argv) > 5 else 'x = 1\\n'
        claimed = sys.argv[6] if len(sys.argv) > 6 else name
        module = name.replace('-', '_')
        metadata = 'Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\nSummary: bad input\\n' % (claimed, version)
        if kind == 'sdist':
            with tarfile.open(out, 'w:gz') as tar:
                for path, text in [('%s-%s/PKG-INFO' % (module, version), metadata),
                                   ('%s-%s/%s/__init__.py' % (module, version, module), body)]:
                    data = text.encode()
                    info = tarfile.TarInfo(path)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        elif kind == 'wheel':
            info = '%s-%s.dist-info' % (module, version)
            with zipfile.ZipFile(out, 'w') as z:
                z.writestr('%s/__init__.py' % module, 'x = 1\\n')
                z.writestr(info + '/METADATA', metadata)
                z.writestr(info + '/WHEEL', 'Wheel-Version: 1.0\\nGenerator: depot-e2e\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
                z.writestr(info + '/RECORD', '')
        else:
            with zipfile.ZipFile(out, 'w') as z:
                z.writestr('%s/__init__.py' % module, 'x = 1\\n')
        """

    func distribution(
        _ ws: Workspace, _ kind: String, _ name: String, _ version: String, _ filename: String, body: String = "x = 1\n",
        metadataName: String? = nil
    ) throws -> Data {
        let out = ws.root.appendingPathComponent("dist-\(UUID().uuidString)-\(filename.split(separator: "/").last ?? "x")")
        let made = try ws.pythonScript(Self.makeDistribution, [kind, name, version, out.path, body, metadataName ?? name])
        #expect(made.succeeded, "\(made.output)")
        return try Data(contentsOf: out)
    }

    /// POSTs `body` to `/acme/main/pypi/` (or `path`) with curl and returns the reply.
    func post(_ ws: Workspace, _ body: Data, contentType: String, user: String?, path: String = "/acme/main/pypi/") throws -> HTTPReply {
        let file = ws.root.appendingPathComponent("body-\(UUID().uuidString)")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ws.curl("POST", path, user: user, headers: ["Content-Type: \(contentType)"], bodyFile: file)
    }

    func upload(_ ws: Workspace, _ body: MultipartBody, user: String?, path: String = "/acme/main/pypi/") throws -> HTTPReply {
        try post(ws, body.finished(), contentType: body.contentType, user: user, path: path)
    }

    @Test("malformed, mismatched, traversing and unauthorized uploads get 4xx and store nothing")
    func badUploads() async throws {
        let tools = PythonTools.shared
        try #require(tools.available, tools.missingMessage)
        let ws = try Workspace()
        try ws.setUpPyPIRepository()
        let admin = "x:\(ws.server.adminToken)"
        let readCreated = try ws.server.cli(["token", "create", "--domain", "acme", "--repo", "main", "--permission", "read"])
        #expect(readCreated.succeeded, "\(readCreated.output)")
        let readToken = readCreated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(readToken.hasPrefix("dpt_"), "\(readCreated.output)")

        let sdistName = "depot_e2e_bad-1.0.0.tar.gz"
        let wheelName = "depot_e2e_bad-1.0.0-py3-none-any.whl"
        let sdist = try distribution(ws, "sdist", "depot-e2e-bad", "1.0.0", sdistName)
        let wheel = try distribution(ws, "wheel", "depot-e2e-bad", "1.0.0", wheelName)
        let sdistSHA = try ws.sha256(sdist)
        let wheelSHA = try ws.sha256(wheel)
        func valid(_ filename: String = "depot_e2e_bad-1.0.0.tar.gz") -> MultipartBody {
            filename.hasSuffix(".whl")
                ? .upload(name: "depot-e2e-bad", version: "1.0.0", filename: filename, contents: wheel, sha256: wheelSHA)
                : .upload(name: "depot-e2e-bad", version: "1.0.0", filename: filename, contents: sdist, sha256: sdistSHA)
        }

        var cases: [(String, MultipartBody, Int)] = []
        // Digest that does not match the bytes.
        cases.append(("wrong sha256_digest", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: sdistName, contents: sdist, sha256: String(repeating: "0", count: 64)), 400))
        cases.append(("sha256_digest not hex", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: sdistName, contents: sdist, sha256: "not-a-digest"), 400))
        // Filename that does not match the name or version fields.
        cases.append(("filename of another project", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: "other_project-1.0.0.tar.gz", contents: sdist, sha256: sdistSHA), 400))
        cases.append(("filename of another version", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: "depot_e2e_bad-2.0.0.tar.gz", contents: sdist, sha256: sdistSHA), 400))
        cases.append(("version field not PEP 440", .upload(
            name: "depot-e2e-bad", version: "../1", filename: sdistName, contents: sdist, sha256: sdistSHA), 400))
        cases.append(("name field with a slash", .upload(
            name: "../../depot-e2e-bad", version: "1.0.0", filename: sdistName, contents: sdist, sha256: sdistSHA), 400))
        cases.append(("unknown file type", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: "depot_e2e_bad-1.0.0.exe", contents: sdist, sha256: sdistSHA), 400))
        // Path tricks in the filename, each with a genuine sdist of that name and version.
        for (filename, name) in [
            ("../evil-1.0.tar.gz", "evil"), ("/etc/x-1.0.tar.gz", "x"), ("..\\evil-1.0.tar.gz", "evil"),
            ("sub/evil-1.0.tar.gz", "evil"), ("../../../admin.token/../evil-1.0.tar.gz", "evil"), (".evil-1.0.tar.gz", "evil"),
        ] {
            let contents = try distribution(ws, "sdist", name, "1.0", filename)
            cases.append(("path in filename \(filename)", .upload(
                name: name, version: "1.0", filename: filename, contents: contents, sha256: try ws.sha256(contents)), 400))
        }
        // Wheels that are not wheels.
        let notZip = Data("this is not a zip archive, only text\n".utf8)
        cases.append(("a .whl that is not a zip", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: wheelName, contents: notZip, sha256: try ws.sha256(notZip)), 400))
        let bareZip = try distribution(ws, "zip", "depot-e2e-bad", "1.0.0", wheelName)
        cases.append(("a zip without .dist-info/METADATA", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: wheelName, contents: bareZip, sha256: try ws.sha256(bareZip)), 400))
        let otherWheel = try distribution(ws, "wheel", "depot-e2e-other", "1.0.0", "depot_e2e_other-1.0.0-py3-none-any.whl")
        cases.append(("a wheel holding another project's dist-info", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: wheelName, contents: otherWheel, sha256: try ws.sha256(otherWheel)), 400))
        let lyingWheel = try distribution(ws, "wheel", "depot-e2e-bad", "1.0.0", wheelName, metadataName: "depot-e2e-other")
        cases.append(("a wheel whose METADATA names another project", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: wheelName, contents: lyingWheel, sha256: try ws.sha256(lyingWheel)), 400))
        let lyingSdist = try distribution(ws, "sdist", "depot-e2e-bad", "1.0.0", sdistName, metadataName: "depot-e2e-other")
        cases.append(("an sdist whose PKG-INFO names another project", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: sdistName, contents: lyingSdist, sha256: try ws.sha256(lyingSdist)), 400))
        // A form without the file.
        cases.append(("no content part", .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: sdistName, contents: sdist, sha256: sdistSHA, omitContent: true), 400))

        for (label, body, expected) in cases {
            let reply = try upload(ws, body, user: admin)
            #expect(reply.status == expected, "\(label): \(reply.status) \(reply.text.prefix(300))")
        }

        // Truncated multipart bodies: cut inside the file and just before the closing boundary.
        let template = valid()
        let whole = template.finished()
        for (label, cut) in [("cut in the middle", whole.count / 2), ("closing boundary missing", template.data.count)] {
            let reply = try post(ws, whole.prefix(cut), contentType: template.contentType, user: admin)
            #expect(reply.status == 400, "truncated body (\(label)): \(reply.status) \(reply.text.prefix(300))")
        }
        // Not multipart at all, and multipart without a boundary.
        #expect(try post(ws, Data("name=x".utf8), contentType: "application/x-www-form-urlencoded", user: admin).status / 100 == 4)
        #expect(try post(ws, whole, contentType: "multipart/form-data", user: admin).status == 400)

        // Credentials: a read-only token gets 403, none or a wrong one 401 with WWW-Authenticate; same at /legacy/.
        for path in ["/acme/main/pypi/", "/acme/main/pypi/legacy/"] {
            let readOnly = try upload(ws, valid(), user: "x:\(readToken)", path: path)
            #expect(readOnly.status == 403, "read-only token at \(path): \(readOnly.status) \(readOnly.text.prefix(300))")
            let anonymous = try upload(ws, valid(), user: nil, path: path)
            #expect(anonymous.status == 401, "no credentials at \(path): \(anonymous.status)")
            #expect(anonymous.headers["www-authenticate"] != nil, "\(anonymous.headers)")
            let wrong = try upload(ws, valid(), user: "x:dpt_wrong", path: path)
            #expect(wrong.status == 401, "unknown token at \(path): \(wrong.status)")
        }
        // Another domain's or a missing repository.
        let missingRepo = try upload(ws, valid(), user: admin, path: "/acme/nope/pypi/")
        #expect(missingRepo.status == 404, "missing repository: \(missingRepo.status)")

        // Nothing was stored, no blob (or temp file) was left, and the server still serves.
        #expect(try ws.pypiPackageNames() == [], "depot package list after bad uploads")
        #expect(ws.blobFiles().isEmpty, "files left in the blob store: \(ws.blobFiles())")
        #expect(try ws.curl("GET", "/healthz").status == 200)
        #expect(!ws.server.log.contains(" 500 "), "\(ws.server.log.split(separator: "\n").filter { $0.contains(" 500 ") }.joined(separator: "\n"))")

        // The same bodies, valid this time, are accepted: the 400s above were about what each case changed.
        for filename in [sdistName, wheelName] {
            let accepted = try upload(ws, valid(filename), user: admin)
            #expect(accepted.status == 200, "valid upload of \(filename): \(accepted.status) \(accepted.text.prefix(300))")
        }
        #expect(try ws.pypiPackageNames() == ["depot-e2e-bad"])
        let page = try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-bad/", user: admin, headers: ["Accept: text/html"])
        #expect(Set(SimpleHTML.anchors(page.text).map(\.text)) == [sdistName, wheelName], "\(page.text)")
        // And now a filename taken with other bytes is refused, the stored file unchanged.
        let otherBytes = try distribution(ws, "sdist", "depot-e2e-bad", "1.0.0", sdistName, body: "x = 2\n")
        #expect(otherBytes != sdist)
        let taken = try upload(ws, .upload(
            name: "depot-e2e-bad", version: "1.0.0", filename: sdistName, contents: otherBytes, sha256: try ws.sha256(otherBytes)),
            user: admin)
        #expect(taken.status == 400, "other bytes under a taken filename: \(taken.status) \(taken.text.prefix(300))")
        #expect(taken.text.lowercased().contains("already exists"), "\(taken.text.prefix(300))")
        let files = ((try ws.curl("GET", "/acme/main/pypi/simple/depot-e2e-bad/", user: admin,
                                  headers: ["Accept: application/vnd.pypi.simple.v1+json"]).json?["files"]) as? [[String: Any]]) ?? []
        #expect(files.first { $0["filename"] as? String == sdistName }.flatMap { ($0["hashes"] as? [String: Any])?["sha256"] as? String } == sdistSHA)
    }

    @Test("reads that try to leave the repository get 4xx and never the admin token")
    func traversalReads() async throws {
        let ws = try Workspace()
        try ws.setUpPyPIRepository()
        let token = ws.server.adminToken
        let paths = [
            "/acme/main/pypi/simple/../../admin.token", "/acme/main/pypi/simple/../../../admin.token",
            "/acme/main/pypi/simple/%2e%2e/%2e%2e/admin.token", "/acme/main/pypi/simple/%2e%2e/",
            "/acme/main/pypi/simple/%2e%2e%2f%2e%2e%2fadmin.token/", "/acme/main/pypi/simple/..%2f..%2f..%2fadmin.token",
            "/acme/main/pypi/simple/%2E%2E%2F%2E%2E%2Fadmin.token/", "/acme/main/pypi/simple/..%5c..%5cadmin.token/",
            "/acme/main/pypi/simple/x%00/", "/acme/main/pypi/simple/%zz/",
            "/acme/main/pypi/files/../../../admin.token", "/acme/main/pypi/files/%2e%2e/%2e%2e/%2e%2e/admin.token",
            "/acme/main/pypi/files/x/1.0/..%2f..%2f..%2f..%2fadmin.token", "/acme/main/pypi/files/x/1.0/%2e%2e%2fadmin.token.metadata",
            "/acme/main/pypi/files/..%2f..%2f..%2fstorage/1.0/admin.token", "/acme/main/pypi/files/x/..%2f..%2f/admin.token",
            "/acme/main/pypi/files/x/1.0/%2fetc%2fpasswd", "/acme/main/pypi/files/x/1.0/x-1.0.tar.gz%00.txt",
        ]
        for path in paths {
            let reply = try ws.curl("GET", path, user: "x:\(token)")
            #expect((400..<500).contains(reply.status), "GET \(path) -> \(reply.status) \(reply.headers["location"] ?? "")")
            #expect(!reply.text.contains(token), "GET \(path) returned the admin token")
            #expect(!reply.text.contains("root:x:0:0"), "GET \(path) returned /etc/passwd")
        }
        #expect(try ws.curl("GET", "/healthz").status == 200)
    }
}
