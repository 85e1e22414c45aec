import Foundation
import Testing

/// The npm proxy when the public registry is busy or misbehaves: one upstream request for many concurrent
/// misses; 500s, timeouts, garbage, wrong hashes and oversized bodies become clear 502/504 answers that cache
/// nothing; stale metadata keeps installs working; the counters show it all.
@Suite("npm upstream failures")
struct NpmUpstreamFailureTests {
    @Test("50 concurrent requests for an uncached packument make one upstream request")
    func singleFlight() async throws {
        let chain = try NpmUpstreamChain()
        try chain.tree.add(directory: try chain.ws.makePackage("depot-flight-lib", version: "1.0.0", body: "module.exports = 1;\n"))
        // The stand-in takes a second to answer, so the requests overlap for sure.
        try await chain.standIn.setMode(.slow, seconds: 1, match: "/depot-flight-lib")
        let url = chain.registry("app") + "depot-flight-lib"
        var arguments = [
            "-s", "--parallel", "--parallel-immediate", "--parallel-max", "50", "-H", "Authorization: Bearer \(chain.ws.server.adminToken)",
            "-w", "%{http_code}\\n",
        ]
        for _ in 0..<50 { arguments += ["-o", "/dev/null", url] }
        let result = try Command.run("curl", arguments)
        let statuses = result.stdout.split(separator: "\n").map(String.init)
        #expect(statuses.count == 50 && statuses.allSatisfy { $0 == "200" }, "\(result.output)")
        let requests = try await chain.standIn.requests()
        #expect(requests["/depot-flight-lib"] == 1, "\(requests)")
    }

    @Test("500s, timeouts, garbage, wrong hashes and oversized bodies: clear 502/504, nothing cached, still serving")
    func badUpstreams() async throws {
        let chain = try NpmUpstreamChain(environment: [
            "DEPOT_UPSTREAM_TIMEOUT": "2s", "DEPOT_METADATA_TTL": "1s", "DEPOT_MAX_UPLOAD_SIZE": "64KiB",
        ])
        let names = ["depot-bad-500", "depot-bad-slow", "depot-bad-invalid", "depot-bad-hash", "depot-bad-big", "depot-bad-doc"]
        var tarballs: [String: URL] = [:]
        for name in names {
            let added = try chain.tree.add(directory: try chain.ws.makePackage(name, version: "1.0.0", body: "module.exports = '\(name)';\n"))
            tarballs[name] = added.tarball
        }
        let app = "/acme/app/npm/"

        // Metadata: the upstream answers 500, is too slow, sends garbage, or sends far too much.
        let cases: [(name: String, mode: StandInRegistry.Mode, status: Int, code: String)] = [
            ("depot-bad-500", .status500, 502, "500"),
            ("depot-bad-slow", .slow, 504, "in time"),
            ("depot-bad-invalid", .invalid, 502, "UpstreamInvalid"),
            ("depot-bad-doc", .oversized, 502, "UpstreamTooLarge"),
        ]
        for bad in cases {
            try await chain.standIn.setMode(bad.mode, seconds: 5, match: "/\(bad.name)", bytes: 257 << 20)
            let failed = try await chain.get(app + bad.name)
            #expect(failed.status == bad.status && failed.message.contains(bad.code), "\(bad.name): \(failed.status) \(failed.message)")
            #expect(failed.message.contains("public:npmjs") || failed.message.contains("127.0.0.1"), "\(bad.name): \(failed.message)")
            try await chain.standIn.setMode(.normal)
            // Nothing was cached: the next request asks the upstream again and gets the real document.
            let before = try await chain.standIn.count("/\(bad.name)")
            let recovered = try await chain.get(app + bad.name)
            #expect(recovered.status == 200, "\(bad.name) after recovery: \(recovered.status) \(recovered.message)")
            #expect(try await chain.standIn.count("/\(bad.name)") == before + 1)
            #expect(try await chain.get("/healthz").status == 200)
        }

        // A tarball whose bytes do not match the packument's integrity and shasum.
        let hashPath = app + "depot-bad-hash/-/depot-bad-hash-1.0.0.tgz"
        #expect(try await chain.get(app + "depot-bad-hash").status == 200)
        try await chain.standIn.setMode(.badhash, match: "/depot-bad-hash/-/")
        let mismatched = try await chain.get(hashPath)
        #expect(mismatched.status == 502 && mismatched.message.contains("UpstreamChecksumMismatch"), "\(mismatched.status) \(mismatched.message)")
        for repository in ["app", "team", "npm-store"] {
            #expect(try await chain.version("1.0.0", of: "depot-bad-hash", in: repository).status == 404, "\(repository) kept a bad tarball")
        }
        // npm itself reports the failure (no retries, so it does not wait for backoffs).
        let project = try chain.ws.directory("project")
        try chain.ws.npm(["init", "-y"], in: project)
        let npmInstall = try chain.ws.npm(["install", "depot-bad-hash", "--fetch-retries=0"], in: project)
        #expect(!npmInstall.succeeded && npmInstall.output.contains("502"), "\(npmInstall.output)")
        try await chain.standIn.setMode(.normal)
        let good = try await chain.get(hashPath)
        let goodBytes = try Data(contentsOf: try #require(tarballs["depot-bad-hash"]))
        #expect(good.status == 200 && good.body == goodBytes, "\(good.status) \(good.message)")

        // Tarballs over DEPOT_MAX_UPLOAD_SIZE, streamed without a length and declared up front.
        let bigPath = app + "depot-bad-big/-/depot-bad-big-1.0.0.tgz"
        for declared in [false, true] {
            try await chain.standIn.setMode(.oversized, match: "/depot-bad-big/-/", bytes: 1 << 20, declareLength: declared)
            let tooBig = try await chain.get(bigPath)
            #expect(tooBig.status == 502 && tooBig.message.contains("UpstreamTooLarge"), "declared \(declared): \(tooBig.status) \(tooBig.message)")
            #expect(try await chain.version("1.0.0", of: "depot-bad-big", in: "npm-store").status == 404)
        }
        try await chain.standIn.setMode(.normal)
        let fits = try await chain.get(bigPath)
        let fitsBytes = try Data(contentsOf: try #require(tarballs["depot-bad-big"]))
        #expect(fits.status == 200 && fits.body == fitsBytes, "\(fits.status) \(fits.message)")
        let install = try chain.ws.npm(["install", "depot-bad-hash", "depot-bad-big"], in: project)
        #expect(install.succeeded, "\(install.output)")
        #expect(try await chain.get("/healthz").status == 200)
    }

    @Test("a version the upstream adds shows once the cached document expires, however often it was read before")
    func upstreamRefresh() async throws {
        let chain = try NpmUpstreamChain(environment: ["DEPOT_METADATA_TTL": "1s"])
        try chain.tree.add(directory: try chain.ws.makePackage("depot-fresh-lib", version: "1.0.0", body: "module.exports = 1;\n"))
        let path = "/acme/app/npm/depot-fresh-lib"
        // Repeated identical reads: the document includes the external connection's, so no connection keeps it.
        for _ in 0..<3 { #expect(try Self.versions(try await chain.get(path).body) == ["1.0.0"]) }
        try chain.tree.add(directory: try chain.ws.makePackage("depot-fresh-lib", version: "1.1.0", body: "module.exports = 2;\n"))
        try await Task.sleep(for: .milliseconds(1_200))
        #expect(try Self.versions(try await chain.get(path).body) == ["1.0.0", "1.1.0"])
    }

    @Test("stale metadata is served when the upstream fails after a successful fetch; /metrics counts it")
    func staleMetadata() async throws {
        let chain = try NpmUpstreamChain(environment: ["DEPOT_UPSTREAM_TIMEOUT": "2s", "DEPOT_METADATA_TTL": "1s"])
        try chain.tree.add(directory: try chain.ws.makePackage("depot-stale-lib", version: "1.0.0", body: "module.exports = 1;\n"))
        try chain.tree.add(directory: try chain.ws.makePackage("depot-stale-lib", version: "1.1.0", body: "module.exports = 2;\n"))
        let path = "/acme/app/npm/depot-stale-lib"
        let first = try await chain.get(path)
        #expect(first.status == 200)
        let firstVersions = try Self.versions(first.body)
        #expect(firstVersions == ["1.0.0", "1.1.0"])

        for mode in [StandInRegistry.Mode.status500, .slow, .invalid] {
            // Let the cached copy expire (the TTL is one second), then break the upstream.
            try await Task.sleep(for: .milliseconds(1_200))
            try await chain.standIn.setMode(mode, seconds: 5, match: "/depot-stale-lib")
            let before = try await chain.standIn.count("/depot-stale-lib")
            let stale = try await chain.get(path)
            #expect(stale.status == 200, "\(mode): \(stale.status) \(stale.message)")
            #expect(try Self.versions(stale.body) == firstVersions, "\(mode)")
            #expect(try await chain.standIn.count("/depot-stale-lib") == before + 1, "\(mode): the upstream was not asked")
            try await chain.standIn.setMode(.normal)
        }
        // With the upstream back, an expired copy is revalidated (304 from the stand-in) and still served.
        try await Task.sleep(for: .milliseconds(1_200))
        #expect(try await chain.get(path).status == 200)

        // The upstream gone altogether (connections refused): the expired copy is served, a package never
        // fetched is a 502 saying the upstream cannot be reached (a refusal is not a timeout).
        chain.standIn.stop()
        try await Task.sleep(for: .milliseconds(1_200))
        let gone = try await chain.get(path)
        #expect(gone.status == 200, "\(gone.status) \(gone.message)")
        #expect(try Self.versions(gone.body) == firstVersions)
        let never = try await chain.get("/acme/app/npm/depot-never-fetched")
        #expect(never.status == 502 && never.message.contains("could not be reached"), "\(never.status) \(never.message)")

        let metrics = String(decoding: try await chain.get("/metrics").body, as: UTF8.self)
        for expected in [
            #"depot_upstream_metadata_cache_total{connection="public:npmjs",result="stale"} 4"#,
            #"depot_upstream_requests_total{connection="public:npmjs",kind="metadata",outcome="error"} 2"#,
            #"depot_upstream_metadata_cache_total{connection="public:npmjs",result="miss"}"#,
            #"depot_upstream_metadata_cache_total{connection="public:npmjs",result="revalidated"}"#,
            #"depot_upstream_requests_total{connection="public:npmjs",kind="metadata",outcome="500"} 1"#,
            #"depot_upstream_requests_total{connection="public:npmjs",kind="metadata",outcome="timeout"} 1"#,
            #"depot_upstream_requests_total{connection="public:npmjs",kind="metadata",outcome="200"}"#,
            #"depot_upstream_bytes_fetched_total{connection="public:npmjs"}"#,
        ] {
            #expect(metrics.contains(expected), "\(expected) not in\n\(metrics.split(separator: "\n").filter { $0.contains("upstream") }.joined(separator: "\n"))")
        }
    }

    static func versions(_ packument: Data) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: packument) as? [String: Any])
        return (object["versions"] as? [String: Any] ?? [:]).keys.sorted()
    }
}
