import Foundation
import Testing

/// The web console in a real headless Chromium (chromedriver + Selenium, from `scripts/install-browser-tools`):
/// sign in, browse, search, an inert README, snippets, tokens, CSRF, a build's live log, a pipeline approval, sign
/// out, a revoked token's session, a one-time sign-in link from `depot login --tool browser`, and axe-core on the
/// main pages. Screenshots (desktop and phone widths) and axe reports go to `.build/test-artifacts/console/`.
@Suite("Console in a browser")
struct ConsoleBrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Support/console_browser.py")
    static let artifacts = PythonTools.packageRoot.appendingPathComponent(".build/test-artifacts/console")

    static var browserAvailable: Bool {
        ["/usr/bin/chromium", "/usr/bin/chromedriver"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && FileManager.default.isExecutableFile(atPath: PythonTools.shared.python)
    }

    @Test("sign in, browse, search, README inert, snippets, tokens, CSRF, live build log, pipeline approval, sign out, revoked session, sign-in link; axe clean")
    func console() throws {
        try #require(Self.browserAvailable, "chromium, chromedriver or the python tools are missing: run scripts/install-browser-tools")
        let ws = try Workspace()
        // The pipeline below fetches a git repository inside the workspace (local sources are refused by default).
        try ws.setUpRepository(serverEnvironment: ["DEPOT_PIPELINE_GIT_ALLOWED_PATHS": ws.root.path])
        let readme = """
            # Console demo

            Some **bold** text. <script>window.__depotXSS = 1</script>

            [evil](javascript:window.__depotXSS=1) and [docs](https://example.com/docs)
            """
        let package = try ws.makePackage("depot-console-demo", version: "1.0.0", body: "module.exports = 1;\n", readme: readme)
        let published = try ws.npm(["publish"], in: package)
        try #require(published.succeeded, "\(published.output)")

        // A build that prints, waits, then prints again: the page must show the second line without a reload.
        let source = try ws.directory("live-build")
        try "version: 0.2\nphases:\n  build:\n    commands:\n      - echo live-log-first\n      - sleep 4\n      - echo live-log-marker\n"
            .write(to: source.appendingPathComponent("buildspec.yml"), atomically: true, encoding: .utf8)

        // The pipeline's source: a local git repository with a `main` branch.
        let repository = try ws.directory("pipeline-source")
        try "console pipeline\n".write(to: repository.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        for arguments in [["init", "-q", "-b", "main"], ["add", "README"], ["commit", "-q", "-m", "first"]] {
            let git = try Command.run("git", ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com"] + arguments, in: repository)
            try #require(git.succeeded, "git \(arguments): \(git.output)")
        }

        let run = try Command.run(
            PythonTools.shared.python,
            [Self.script.path, ws.server.url, ws.server.adminToken, Self.artifacts.path, source.path, repository.path, DepotProcess.binary],
            timeout: 300)
        #expect(run.succeeded, "\(run.stdout)\n\(run.stderr.suffix(4000))")
        #expect(run.stdout.hasSuffix("OK\n"), "\(run.stdout)")
        for page in ["signin", "home", "domain", "repository", "package", "version", "tokens", "build", "execution", "signin-link"] {
            for width in ["desktop", "phone"] {
                #expect(FileManager.default.fileExists(atPath: Self.artifacts.appendingPathComponent("\(page)-\(width).png").path))
            }
        }
    }
}
