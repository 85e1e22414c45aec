import Foundation
import Testing

/// The real cargo against a running `depot serve`: `depot login --tool cargo`, publish, a crate depending on the
/// published one builds, yank and unyank respected by new lockfiles, search, owners, immutability; then bad input
/// that must get Cargo's error body with a 4xx and store nothing.
@Suite("Cargo workflow")
struct CargoWorkflowTests {
    @Test("login, publish, depend and build, yank and unyank, search, owners, immutability")
    func publishBuildYank() async throws {
        let cw = try CargoWorkspace()
        let config = cw.cargoHome.appendingPathComponent("config.toml")
        let text = try String(contentsOf: config, encoding: .utf8)
        #expect(text.contains("[registries.depot]"))
        #expect(text.contains("index = \"sparse+\(cw.server.url)/acme/main/cargo/\""), "\(text)")
        #expect(text.contains("token = \"dpt_"))
        let mode = try FileManager.default.attributesOfItem(atPath: config.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Two versions of a library, the first verified by cargo (it builds the packaged crate).
        for (version, verify) in [("1.0.0", true), ("1.1.0", false)] {
            let lib = try cw.makeCrate(
                "depot-e2e-util", version: version, features: ["default = [\"std\"]", "std = []", "extra = []"],
                source: "pub fn hello() -> String { format!(\"util-{}\", \"\(version)\") }\n")
            let published = try cw.cargo(["publish", "--registry", "depot"] + (verify ? [] : ["--no-verify"]), in: lib)
            #expect(published.succeeded, "\(published.output)\n\(cw.server.log.suffix(2000))")
            #expect(published.output.contains("Published depot-e2e-util v\(version)"), "\(published.output)")
        }

        // A crate depending on it through registry = "depot" resolves the newest and builds.
        let app = try cw.makeCrate(
            "depot-e2e-app", version: "0.1.0", dependencies: [#"depot-e2e-util = { version = "1", registry = "depot" }"#],
            source: "fn main() { println!(\"app+{}\", depot_e2e_util::hello()); }\n", binary: true)
        let run = try cw.cargo(["run", "-q"], in: app)
        #expect(run.stdout.contains("app+util-1.1.0"), "\(run.output)")
        #expect(try CargoWorkspace.lockedVersions(of: "depot-e2e-util", in: app) == ["1.1.0"])

        // Yanked: a new lockfile takes 1.0.0; the index line says so.
        let yank = try cw.cargo(["yank", "--registry", "depot", "depot-e2e-util@1.1.0"], in: app)
        #expect(yank.succeeded, "\(yank.output)")
        let index = try await cw.request("GET", "/de/po/depot-e2e-util", token: cw.token)
        #expect(index.status == 200)
        let lines = String(decoding: index.body, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.contains(#""yanked":true"#) == true && lines.first?.contains(#""yanked":false"#) == true, "\(lines)")
        try FileManager.default.removeItem(at: app.appendingPathComponent("Cargo.lock"))
        let afterYank = try cw.cargo(["run", "-q"], in: app)
        #expect(afterYank.stdout.contains("app+util-1.0.0"), "\(afterYank.output)")
        #expect(try CargoWorkspace.lockedVersions(of: "depot-e2e-util", in: app) == ["1.0.0"])

        // Unyanked: the next new lockfile takes 1.1.0 again.
        let unyank = try cw.cargo(["yank", "--undo", "--registry", "depot", "depot-e2e-util@1.1.0"], in: app)
        #expect(unyank.succeeded, "\(unyank.output)")
        try FileManager.default.removeItem(at: app.appendingPathComponent("Cargo.lock"))
        #expect(try cw.cargo(["generate-lockfile"], in: app).succeeded)
        #expect(try CargoWorkspace.lockedVersions(of: "depot-e2e-util", in: app) == ["1.1.0"])

        // The same yank from the CLI (one management route for every format that yanks), then undone.
        for (command, flag) in [("yank", #""yanked":true"#), ("unyank", #""yanked":false"#)] {
            let cli = try cw.server.cli([
                "package", command, "--domain", "acme", "--repo", "main", "--format", "cargo", "depot-e2e-util", "--version", "1.1.0",
            ])
            #expect(cli.succeeded && cli.output.contains("depot-e2e-util-1.1.0.crate"), "\(cli.output)")
            let line = try await cw.request("GET", "/de/po/depot-e2e-util", token: cw.token)
            #expect(String(decoding: line.body, as: UTF8.self).split(separator: "\n").last?.contains(flag) == true)
        }

        // The index file is rendered once per change: the same ETag again is a 304.
        let first = try await cw.request("GET", "/de/po/depot-e2e-util", token: cw.token)
        let etag = try #require(first.headers["etag"])
        let again = try await cw.request("GET", "/de/po/depot-e2e-util", token: cw.token, headers: ["If-None-Match": etag])
        #expect(again.status == 304)

        // A version never changes: other bytes under 1.1.0 are refused, and cargo prints why.
        let changed = try cw.makeCrate("depot-e2e-util", version: "1.1.0", source: "pub fn hello() -> String { \"changed\".into() }\n")
        let republish = try cw.cargo(["publish", "--registry", "depot", "--no-verify"], in: changed)
        #expect(!republish.succeeded && republish.output.contains("already exists"), "\(republish.output)")
        // cargo checks its index first; the server refuses other bytes by itself too, in Cargo's error body.
        let raw = try await cw.request(
            "PUT", "/api/v1/crates/new", token: cw.token,
            body: CargoPublishBody.make(json: CargoPublishBody.metadata(name: "depot-e2e-util", version: "1.1.0"), crate: CargoPublishBody.crate))
        #expect(raw.status == 409, "\(raw.status)")
        #expect(CargoWorkspace.details(raw.body).first?.contains("already exists") == true, "\(CargoWorkspace.details(raw.body))")
        // crates.io's uniqueness rule: `_` for `-` (or another case) is the same crate.
        for twin in ["depot_e2e_util", "Depot-E2E-Util"] {
            let folded = try await cw.request(
                "PUT", "/api/v1/crates/new", token: cw.token,
                body: CargoPublishBody.make(json: CargoPublishBody.metadata(name: twin, version: "9.0.0"), crate: CargoPublishBody.crate))
            #expect((400..<500).contains(folded.status) && !CargoWorkspace.details(folded.body).isEmpty, "\(twin): \(folded.status)")
        }

        // search and owners answer as cargo expects.
        let search = try cw.cargo(["search", "--registry", "depot", "depot-e2e"], in: app)
        #expect(search.stdout.contains("depot-e2e-util = \"1.1.0\""), "\(search.output)")
        let owners = try cw.cargo(["owner", "--list", "--registry", "depot", "depot-e2e-util"], in: app)
        #expect(owners.succeeded && owners.stdout.contains("depot"), "\(owners.output)")

        // The management API sees the crate like any other package.
        let versions = try cw.server.cli(["package", "versions", "--domain", "acme", "--repo", "main", "--format", "cargo", "depot-e2e-util"])
        #expect(versions.output.contains("1.0.0") && versions.output.contains("1.1.0"), "\(versions.output)")
    }

    @Test("bad input gets Cargo's error body and a 4xx, and stores nothing")
    func badInput() async throws {
        let cw = try CargoWorkspace()
        let token = cw.token
        func publish(_ body: Data, token: String? = token) async throws -> (Int, [String]) {
            let result = try await cw.request("PUT", "/api/v1/crates/new", token: token, body: body)
            return (result.status, CargoWorkspace.details(result.body))
        }
        let good = CargoPublishBody.make(json: CargoPublishBody.metadata(name: "depot-bad", version: "1.0.0"), crate: CargoPublishBody.crate)
        var cases: [(String, Data, Int)] = [
            ("truncated", good.prefix(good.count - 5), 400),
            ("lengths only", CargoPublishBody.le32(4), 400),
            ("trailing bytes", good + Data([0]), 400),
            ("JSON length over the limit", CargoPublishBody.le32(.max) + Data("{}".utf8), 413),
            ("not JSON", CargoPublishBody.make(json: Data("not json".utf8), crate: CargoPublishBody.crate), 400),
            ("not a gzip .crate", CargoPublishBody.make(json: CargoPublishBody.metadata(name: "depot-bad", version: "1.0.0"), crate: Data("PK..".utf8)), 400),
        ]
        for (name, version) in [("../etc", "1.0.0"), ("1bad", "1.0.0"), ("bad/name", "1.0.0"), ("depot-bad", "1.0"), ("depot-bad", "01.0.0"),
            ("depot-bad", "1.0.0/../2")]
        {
            cases.append(("\(name)@\(version)", CargoPublishBody.make(json: CargoPublishBody.metadata(name: name, version: version), crate: CargoPublishBody.crate), 400))
        }
        cases.append((
            "bad dependency",
            CargoPublishBody.make(
                json: CargoPublishBody.metadata(name: "depot-bad", version: "1.0.0", deps: [["name": "../x", "version_req": "1"]]),
                crate: CargoPublishBody.crate), 400))
        for (label, body, expected) in cases {
            let (status, details) = try await publish(body)
            #expect(status == expected, "\(label): \(status) \(details)")
            #expect(!details.isEmpty, "\(label): no Cargo error detail")
        }

        // No token, a wrong token, a read-only token: 401, 401, 403 with Cargo's body.
        let (anonymous, anonymousDetails) = try await publish(good, token: nil)
        #expect(anonymous == 401 && !anonymousDetails.isEmpty)
        let (wrong, _) = try await publish(good, token: "dpt_" + String(repeating: "a", count: 52))
        #expect(wrong == 401)
        let minted = try cw.server.cli(["token", "create", "--domain", "acme", "--repo", "main", "--permission", "read", "--json"])
        let readToken = try #require(
            (try? JSONSerialization.jsonObject(with: Data(minted.stdout.utf8)) as? [String: Any])?["token"] as? String, "\(minted.output)")
        let (readOnly, _) = try await publish(good, token: readToken)
        #expect(readOnly == 403)

        // Traversal and malformed paths never reach a file.
        for path in ["/acme/main/cargo/../../../etc/passwd", "/acme/main/cargo/de/po/../../config.json", "/acme/main/cargo/api/v1/crates/..%2f..%2fx/1.0.0/download",
            "/acme/main/cargo/api/v1/crates/depot-bad/1.0.0%2f..%2f/download", "/acme/main/cargo/de/po/DEPOT-BAD", "/acme/main/cargo/3/d/depot-bad"]
        {
            let status = try rawStatus(cw, "GET", path, token: token)
            #expect((400..<500).contains(status), "\(path): \(status)")
        }
        let yankMissing = try await cw.request("DELETE", "/api/v1/crates/depot-bad/1.0.0/yank", token: token)
        #expect(yankMissing.status == 404 && !CargoWorkspace.details(yankMissing.body).isEmpty)

        // Nothing was stored: no index file, no package in the repository.
        #expect(try await cw.request("GET", "/de/po/depot-bad", token: token).status == 404)
        let packages = try cw.server.cli(["package", "list", "--domain", "acme", "--repo", "main", "--format", "cargo", "--json"])
        #expect(!packages.output.contains("depot-bad"), "\(packages.output)")

        // The very same body with a good name goes through, so the refusals above were about their input.
        let (accepted, acceptedDetails) = try await publish(good)
        #expect(accepted == 200, "\(acceptedDetails)")
        #expect(try await cw.request("GET", "/de/po/depot-bad", token: token).status == 200)
    }

    /// The status of a request sent with curl `--path-as-is` (so `..` reaches the server) and a bare token.
    private func rawStatus(_ cw: CargoWorkspace, _ method: String, _ path: String, token: String) throws -> Int {
        let result = try Command.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", "-X", method, "-H", "Authorization: \(token)", cw.server.url + path])
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
