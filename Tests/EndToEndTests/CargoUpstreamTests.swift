import Foundation
import Testing

/// `public:crates-io` pointed at a local stand-in that serves a sparse index and real `.crate` files made with
/// `cargo package`: a crate depending on them builds through Depot, the files are verified against the index's
/// `cksum` and kept, and a second build with the stand-in stopped (and cargo's caches emptied) still works.
@Suite("Cargo upstream (crates.io stand-in)")
struct CargoUpstreamTests {
    @Test("a crate fetched through public:crates-io, then again with the stand-in stopped")
    func fetchThenOffline() async throws {
        let standInRoot = FileManager.default.temporaryDirectory.appendingPathComponent("cargo-stand-in-\(UUID().uuidString)")
        let standIn = try StandInRegistry(root: standInRoot)
        defer { try? FileManager.default.removeItem(at: standInRoot) }
        try standIn.start()
        let cw = try CargoWorkspace(
            externalConnection: "public:crates-io",
            serverEnvironment: StandInRegistry.depotEnvironment.merging(["DEPOT_CRATES_IO_URL": standIn.url + "/"]) { $1 })

        // Two crates packaged by the real cargo and laid out as crates.io serves them; one has a wrong cksum.
        try addCrate("depot-e2e-public", version: "0.3.0", cw: cw, standInRoot: standInRoot)
        try addCrate("depot-e2e-public", version: "0.3.1", yanked: true, cw: cw, standInRoot: standInRoot)
        try addCrate("depot-e2e-tampered", version: "1.0.0", cw: cw, standInRoot: standInRoot, cksum: String(repeating: "0", count: 64))

        let app = try cw.makeCrate(
            "depot-e2e-upstream-app", version: "0.1.0", dependencies: [#"depot-e2e-public = { version = "0.3", registry = "depot" }"#],
            source: "fn main() { println!(\"{}\", depot_e2e_public::hello()); }\n", binary: true)
        let run = try cw.cargo(["run", "-q"], in: app)
        #expect(run.stdout.contains("public-0.3.0"), "\(run.output)\n\(cw.server.log.suffix(3000))")
        // The yanked 0.3.1 is listed, flagged, and not picked for a new lockfile.
        #expect(try CargoWorkspace.lockedVersions(of: "depot-e2e-public", in: app) == ["0.3.0"])
        let index = try await cw.request("GET", "/de/po/depot-e2e-public", token: cw.token)
        let lines = String(decoding: index.body, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2 && lines.last?.contains(#""yanked":true"#) == true, "\(lines)")
        #expect(try await standIn.count("/crates/depot-e2e-public/depot-e2e-public-0.3.0.crate") == 1)

        // The fetched version is kept in the repository as EXTERNAL, from public:crates-io.
        let version = try cw.server.cli(["package", "describe-version", "--domain", "acme", "--repo", "main", "--format", "cargo", "depot-e2e-public", "--version", "0.3.0", "--json"])
        #expect(version.output.contains("EXTERNAL") && version.output.contains("public:crates-io"), "\(version.output)")

        // A file whose bytes do not match the index's cksum is refused and not kept.
        let tampered = try await cw.request("GET", "/api/v1/crates/depot-e2e-tampered/1.0.0/download", token: cw.token)
        #expect(tampered.status == 502, "\(tampered.status) \(String(decoding: tampered.body, as: UTF8.self))")
        #expect(!CargoWorkspace.details(tampered.body).isEmpty)

        // The stand-in goes away; a fresh resolution and download (empty cargo caches) still work from Depot.
        standIn.stop()
        try FileManager.default.removeItem(at: cw.cargoHome.appendingPathComponent("registry"))
        try FileManager.default.removeItem(at: app.appendingPathComponent("Cargo.lock"))
        try FileManager.default.removeItem(at: app.appendingPathComponent("target"))
        let offline = try cw.cargo(["run", "-q"], in: app)
        #expect(offline.stdout.contains("public-0.3.0"), "\(offline.output)\n\(cw.server.log.suffix(3000))")
    }

    /// Packages a crate with `cargo package` and adds its index line (appended) and `.crate` to the stand-in tree.
    private func addCrate(
        _ name: String, version: String, yanked: Bool = false, cw: CargoWorkspace, standInRoot: URL, cksum: String? = nil
    ) throws {
        let dir = try cw.makeCrate(name, version: version, source: "pub fn hello() -> String { \"public-\(version)\".into() }\n")
        let packaged = try cw.cargo(["package", "--no-verify", "--allow-dirty"], in: dir)
        #expect(packaged.succeeded, "\(packaged.output)")
        let file = dir.appendingPathComponent("target/package/\(name)-\(version).crate")
        let crate = try Data(contentsOf: file)
        let digest = String(try Command.run("sha256sum", [file.path]).stdout.prefix(while: { !$0.isWhitespace }))
        let crates = standInRoot.appendingPathComponent("crates/\(name)")
        try FileManager.default.createDirectory(at: crates, withIntermediateDirectories: true)
        try crate.write(to: crates.appendingPathComponent("\(name)-\(version).crate"))
        let indexFile = standInRoot.appendingPathComponent("\(name.prefix(2))/\(name.dropFirst(2).prefix(2))/\(name)")
        try FileManager.default.createDirectory(at: indexFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let line: [String: Any] = [
            "name": name, "vers": version, "deps": [Any](), "cksum": cksum ?? digest, "features": [String: Any](), "yanked": yanked,
            "pubtime": "2025-01-02T03:04:05Z",
        ]
        let existing = (try? Data(contentsOf: indexFile)) ?? Data()
        try (existing + JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) + Data("\n".utf8)).write(to: indexFile)
    }
}
