import Foundation
import Testing

/// `depot build run` with a real npm project: dependencies from Depot, tests with a JUnit report, publish in
/// post_build, artifacts, exported variables, the build token masked and revoked.
@Suite("build: npm project", .serialized)
struct BuildNpmTests {
    static let testScript = """
        const fs = require('fs');
        const add = require('depot-build-lib');
        const cases = [
          ['adds', add(2, 3) === 5, false],
          ['adds negatives', add(-1, -1) === -2, false],
          ['multiplies', true, true],
        ];
        let xml = '<?xml version="1.0"?>\\n<testsuites><testsuite name="app" tests="3">\\n';
        for (const [name, ok, skip] of cases) {
          xml += `<testcase classname="app" name="${name}" time="0.01">` + (skip ? '<skipped/>' : ok ? '' : '<failure message="wrong"/>') + '</testcase>\\n';
        }
        xml += '</testsuite></testsuites>\\n';
        fs.mkdirSync('reports', { recursive: true });
        fs.writeFileSync('reports/junit.xml', xml);
        console.log('tests written');
        """

    @Test("npm ci from Depot, JUnit report, npm publish in post_build, artifacts, exported variables")
    func npmProject() throws {
        let bw = try BuildWorkspace()
        // The dependency is published to Depot first, by a build of its own.
        let lib = try bw.project(
            "lib",
            [
                "package.json": #"{"name":"depot-build-lib","version":"1.0.0","main":"index.js","license":"MIT"}"#,
                "index.js": "module.exports = (a, b) => a + b;\n",
                "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - npm publish\n",
            ])
        let (libBuild, libJSON, _) = try bw.build(lib)
        #expect(libBuild.succeeded, "\(libBuild.output)")
        #expect(libJSON["status"] as? String == "SUCCEEDED")

        let app = try bw.project(
            "app",
            [
                "package.json":
                    #"{"name":"@acme/build-app","version":"1.4.0","main":"index.js","license":"MIT","dependencies":{"depot-build-lib":"^1.0.0"}}"#,
                "index.js": "module.exports = () => require('depot-build-lib')(40, 2);\n",
                "test.js": Self.testScript,
                "buildspec.yml": """
                    version: 0.2
                    env:
                      exported-variables: [APP_VERSION, BUILT_IN]
                    phases:
                      install:
                        commands:
                          - npm ci
                      pre_build:
                        commands:
                          - export APP_VERSION=$(node -p "require('./package.json').version")
                          - mkdir -p dist
                          - echo "token=$DEPOT_AUTH_TOKEN registry=$DEPOT_NPM_REGISTRY"
                      build:
                        commands:
                          - node test.js
                          - cp index.js dist/ && echo "built $APP_VERSION" > dist/info.txt
                          - export BUILT_IN=$(basename "$PWD")
                      post_build:
                        commands:
                          - npm publish
                    reports:
                      unit:
                        files: ['junit.xml']
                        base-directory: reports
                    artifacts:
                      name: app
                      files:
                        - 'dist/**/*'
                        - package.json
                    """,
            ])
        // The lockfile comes from Depot (npm install --package-lock-only with the workspace's login).
        let lock = try bw.ws.npm(["install", "--package-lock-only"], in: app)
        #expect(lock.succeeded, "\(lock.output)")

        let (build, json, output) = try bw.build(app)
        #expect(build.succeeded, "\(build.output)")
        #expect(json["status"] as? String == "SUCCEEDED")
        #expect(build.stdout.contains("Entering phase INSTALL") && build.stdout.contains("Entering phase POST_BUILD"))
        let phases = BuildWorkspace.phases(json)
        for phase in ["PROVISIONING", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING"] {
            #expect(phases[phase] == "SUCCEEDED", "\(phase): \(phases)")
        }
        #expect(json["exportedVariables"] as? [String: String] == ["APP_VERSION": "1.4.0", "BUILT_IN": "app"])

        // Report totals.
        let report = (json["reports"] as? [[String: Any]])?.first
        #expect(report?["group"] as? String == "unit")
        #expect(report?["total"] as? Int == 3)
        #expect(report?["passed"] as? Int == 2)
        #expect(report?["skipped"] as? Int == 1)
        #expect(report?["failed"] as? Int == 0)

        // The artifact zip holds the declared files and nothing else.
        let zip = output.appendingPathComponent("app.zip")
        let listing = try Command.run("unzip", ["-Z1", zip.path])
        #expect(Set(listing.stdout.split(separator: "\n").map(String.init)) == ["dist/index.js", "dist/info.txt", "package.json"], "\(listing.output)")

        // The token is masked in the stored log and the log names the registry.
        let log = try String(contentsOf: output.appendingPathComponent("build.log"), encoding: .utf8)
        #expect(log.contains("token=*** registry=\(bw.server.url)/acme/main/npm/"))
        #expect(!log.contains("dpt_"))

        // The build's token was revoked when it ended.
        let tokens = try bw.server.cli(["token", "list", "--domain", "acme", "--json"])
        let buildTokens = ((try? JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8))) as? [String: Any])?["tokens"] as? [[String: Any]] ?? []
        let named = buildTokens.filter { ($0["name"] as? String)?.hasPrefix("build-app-") == true }
        #expect(named.count == 1 && named.allSatisfy { $0["status"] as? String == "Revoked" }, "\(tokens.output)")

        // What post_build published installs from Depot.
        let consumer = try bw.ws.directory("consumer")
        try bw.ws.npm(["init", "-y"], in: consumer)
        let install = try bw.ws.npm(["install", "@acme/build-app@1.4.0"], in: consumer)
        #expect(install.succeeded, "\(install.output)")
        let run = try Command.run("node", ["-e", "console.log(require('@acme/build-app')())"], in: consumer)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "\(run.output)")
    }
}
