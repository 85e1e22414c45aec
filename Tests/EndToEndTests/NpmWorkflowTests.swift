import Foundation
import Testing

/// The real npm client against a running `depot serve`: publish, install, ci, view, dist-tags, deprecate,
/// whoami, search, unpublish, immutability, and a restart that keeps everything.
@Suite("npm workflow")
struct NpmWorkflowTests {
    @Test("publish scoped and unscoped packages, install, ci, manage, restart")
    func publishInstallAndManage() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        let npmrc = try String(contentsOf: ws.home.appendingPathComponent(".npmrc"), encoding: .utf8)
        #expect(npmrc.contains("registry=\(ws.server.url)/acme/main/npm/"))
        #expect(npmrc.contains(":_authToken=dpt_"))

        // Publish an unscoped library in two versions and a scoped app that depends on it.
        for version in ["1.0.0", "1.1.0"] {
            let dir = try ws.makePackage(
                "depot-e2e-util", version: version, body: "module.exports = () => 'util-\(version)';\n",
                readme: "# depot-e2e-util\n\nUtility readme \(version).\n")
            let published = try ws.npm(["publish"], in: dir)
            #expect(published.succeeded, "\(published.output)")
        }
        let app = try ws.makePackage(
            "@acme/app", version: "2.0.0", dependencies: ["depot-e2e-util": "^1.0.0"],
            body: "const util = require('depot-e2e-util');\nmodule.exports = () => 'app+' + util();\n",
            readme: "# @acme/app\n\nThe app readme.\n")
        let appPublished = try ws.npm(["publish"], in: app)
        #expect(appPublished.succeeded, "\(appPublished.output)")

        // Install both into a fresh project; the dependency resolves from Depot too.
        let project = try ws.directory("project")
        try ws.npm(["init", "-y"], in: project)
        let install = try ws.npm(["install", "@acme/app", "depot-e2e-util@1.0.0"], in: project)
        #expect(install.succeeded, "\(install.output)")
        let run = try Command.run(
            "node", ["-e", "console.log(require('@acme/app')() + ' ' + require('depot-e2e-util')())"], in: project)
        #expect(run.stdout.contains("app+util-1.") && run.stdout.contains(" util-1.0.0"), "\(run.output)")
        let lock = try String(contentsOf: project.appendingPathComponent("package-lock.json"), encoding: .utf8)
        #expect(lock.contains("\(ws.server.url)/acme/main/npm/@acme/app/-/app-2.0.0.tgz"))

        // npm ci from the lockfile in a fresh directory with an empty cache.
        let ciProject = try ws.directory("ci-project")
        for file in ["package.json", "package-lock.json"] {
            try FileManager.default.copyItem(at: project.appendingPathComponent(file), to: ciProject.appendingPathComponent(file))
        }
        let ci = try ws.npm(["ci"], in: ciProject, cache: "npm-cache-ci")
        #expect(ci.succeeded, "\(ci.output)")
        #expect(FileManager.default.fileExists(atPath: ciProject.appendingPathComponent("node_modules/@acme/app/index.js").path))

        // npm view: versions, dist-tags, readme kept from the publish.
        let view = try ws.npm(["view", "depot-e2e-util", "versions", "--json"])
        #expect(view.stdout.contains("1.0.0") && view.stdout.contains("1.1.0"), "\(view.output)")
        #expect(try ws.npm(["view", "depot-e2e-util", "version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1.1.0")
        #expect(try ws.npm(["view", "@acme/app", "readme"]).stdout.contains("The app readme."))

        // dist-tags.
        #expect(try ws.npm(["dist-tag", "add", "depot-e2e-util@1.0.0", "stable"]).succeeded)
        #expect(try ws.npm(["dist-tag", "ls", "depot-e2e-util"]).stdout.contains("stable: 1.0.0"))
        #expect(try ws.npm(["dist-tag", "rm", "depot-e2e-util", "stable"]).succeeded)
        #expect(!(try ws.npm(["dist-tag", "ls", "depot-e2e-util"]).stdout.contains("stable")))

        // deprecate.
        let deprecate = try ws.npm(["deprecate", "depot-e2e-util@1.0.0", "use 1.1.0 instead"])
        #expect(deprecate.succeeded, "\(deprecate.output)")
        #expect(try ws.npm(["view", "depot-e2e-util@1.0.0", "deprecated"]).stdout.contains("use 1.1.0 instead"))
        #expect(!(try ws.npm(["view", "depot-e2e-util@1.1.0", "deprecated"]).stdout.contains("use 1.1.0")))

        // whoami and search.
        #expect(try ws.npm(["whoami"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "login-npm")
        let search = try ws.npm(["search", "depot-e2e", "--json"])
        #expect(search.stdout.contains("depot-e2e-util"), "\(search.output)")

        // A version never changes: other bytes under 1.1.0 are refused with 409.
        let changed = try ws.makePackage("depot-e2e-util", version: "1.1.0", body: "module.exports = () => 'changed';\n")
        let republish = try ws.npm(["publish"], in: changed)
        #expect(!republish.succeeded)
        #expect(republish.output.contains("409"), "\(republish.output)")

        // Unpublish one version.
        let unpublish = try ws.npm(["unpublish", "depot-e2e-util@1.0.0"])
        #expect(unpublish.succeeded, "\(unpublish.output)")
        let after = try ws.npm(["view", "depot-e2e-util", "versions", "--json"])
        #expect(!after.stdout.contains("1.0.0") && after.stdout.contains("1.1.0"), "\(after.output)")

        // A restart keeps everything: log in again (the port is new) and install from a clean cache.
        ws.server.stop()
        try ws.server.start()
        let relogin = try ws.server.cli(["login", "--tool", "npm", "--domain", "acme", "--repo", "main"], environment: ["HOME": ws.home.path])
        #expect(relogin.succeeded, "\(relogin.output)")
        let again = try ws.directory("after-restart")
        try ws.npm(["init", "-y"], in: again)
        let reinstall = try ws.npm(["install", "@acme/app"], in: again, cache: "npm-cache-restart")
        #expect(reinstall.succeeded, "\(reinstall.output)")
        let readme = try ws.npm(["view", "@acme/app", "readme"])
        #expect(readme.stdout.contains("The app readme."))

        // ping, and unpublish of a whole package.
        #expect(try ws.npm(["ping"]).succeeded)
        let removeAll = try ws.npm(["unpublish", "depot-e2e-util", "--force"])
        #expect(removeAll.succeeded, "\(removeAll.output)")
        #expect(try ws.npm(["view", "depot-e2e-util", "version"]).output.contains("404"))

        // The server logged one line per request, and never a token.
        #expect(ws.server.log.contains("PUT /acme/main/npm/@acme%2fapp 201"))
        #expect(!ws.server.log.contains("dpt_"))
    }

    @Test("scoped login routes only the scope to Depot")
    func scopedLogin() async throws {
        let ws = try Workspace()
        try ws.setUpRepository(scope: "@acme")
        let npmrc = try String(contentsOf: ws.home.appendingPathComponent(".npmrc"), encoding: .utf8)
        #expect(npmrc.contains("@acme:registry=\(ws.server.url)/acme/main/npm/"))
        #expect(!npmrc.contains("\nregistry="))
        let dir = try ws.makePackage("@acme/scoped-only", version: "0.1.0", body: "module.exports = 1;\n")
        let published = try ws.npm(["publish"], in: dir)
        #expect(published.succeeded, "\(published.output)")
        let view = try ws.npm(["view", "@acme/scoped-only", "version"])
        #expect(view.stdout.contains("0.1.0"), "\(view.output)")
    }
}
