import DepotBuild
import DepotCore
import Foundation
import Testing

@Suite struct BuildEnvironmentOverrideTests {
    @Test func ordinaryNamesPass() throws {
        try BuildEnvironment.validateOverrides(["STAGE": "prod", "MVN_GLOBAL_SETTINGS": "/x", "_X1": "", "UV_PYTHON_DOWNLOADS": "never"])
    }

    @Test(arguments: [
        "BASH_ENV", "ENV", "LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "CODEBUILD_BUILD_ID", "DEPOT_AUTH_TOKEN",
        "NPM_CONFIG_REGISTRY", "PIP_INDEX_URL", "TWINE_REPOSITORY_URL", "MAVEN_OPTS", "NODE_OPTIONS", "PYTHONPATH",
        "JAVA_TOOL_OPTIONS", "BASH_FUNC_ls%%", "PROMPT_COMMAND", "SHELLOPTS", "GIT_SSH_COMMAND",
    ])
    func reservedNamesAreRefused(name: String) {
        let error = #expect(throws: DepotError.self) { try BuildEnvironment.validateOverrides([name: "x"]) }
        #expect(error?.kind == .badRequest)
        #expect(error?.message.contains(name) == true)
    }

    @Test(arguments: ["lower", "1ABC", "A-B", "A B", "", "Ä", "A=B", String(repeating: "A", count: 129)])
    func malformedNamesAreRefused(name: String) {
        #expect(throws: DepotError.self) { try BuildEnvironment.validateOverrides([name: "x"]) }
    }
}

@Suite struct BubblewrapSandboxLayoutTests {
    @Test func toolPrefixesBindInstallPrefixesButNeverTheStorage() throws {
        let dir = try TemporaryDirectory()
        for path in ["tools/pyenv/shims", "tools/venv/bin", "checkout/bin", "checkout/storage", "loose", "python/3.11/bin", "checkout/.venv/bin"] {
            try FileManager.default.createDirectory(at: dir.url.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        let root = dir.url.resolvingSymlinksInPath().path
        // A virtualenv's base interpreter is shown with it.
        try dir.write("checkout/.venv/pyvenv.cfg", "home = \(root)/python/3.11/bin\nversion = 3.11.7\n")
        let sandbox = BubblewrapSandbox(executable: "/usr/bin/bwrap", hiddenPaths: [root + "/checkout/storage"])
        let path = ["tools/pyenv/shims", "tools/venv/bin", "checkout/bin", "loose", "missing/bin", "checkout/.venv/bin"].map { root + "/" + $0 }
            + ["/usr/bin", "relative"]
        let prefixes = sandbox.toolPrefixes(path: path.joined(separator: ":"))
        // checkout/ holds the storage: only its bin directory is shown, not the checkout.
        #expect(prefixes == [
            root + "/tools/pyenv", root + "/tools/venv", root + "/checkout/bin", root + "/loose", root + "/checkout/.venv", root + "/python/3.11",
        ])
        #expect(!sandbox.isShown(root + "/checkout"))
        #expect(!sandbox.isShown(root + "/checkout/storage/admin.token"))
        #expect(!sandbox.isShown("/"))
        #expect(sandbox.isShown(root + "/checkout/bin"))
    }

    @Test func anArtifactBaseDirectoryLinkedOutOfTheSourceIsRefused() throws {
        let dir = try TemporaryDirectory()
        try dir.write("outside/admin.token", "secret")
        try dir.write("src/keep.txt", "ok")
        try FileManager.default.createSymbolicLink(
            at: dir.url.appendingPathComponent("src/leak"), withDestinationURL: dir.url.appendingPathComponent("outside"))
        let packager = ArtifactPackager(
            sourceDirectory: dir.url.appendingPathComponent("src"), outputDirectory: dir.url.appendingPathComponent("out"))
        #expect(throws: DepotError.self) {
            try packager.entries(BuildspecArtifacts(files: ["**/*"], baseDirectory: "leak"))
        }
        // Links inside the tree are never followed either: only keep.txt is taken.
        let entries = try packager.entries(BuildspecArtifacts(files: ["**/*"]))
        #expect(entries.map(\.entry) == ["keep.txt"])
    }
}

/// The sandbox itself, with the real bwrap (scripts/test installs it). Run alone by scripts/test (DEPOT_ISOLATED_TESTS=1)
/// after the rest: under the whole suite's load its shell was stalled for minutes and killed.
@Suite(
    .enabled(if: BuildSandbox.preferred() != .none, "bwrap is not installed"),
    .enabled(if: ProcessInfo.processInfo.environment["DEPOT_ISOLATED_TESTS"] == "1", "run alone by scripts/test"))
struct BubblewrapSandboxTests {
    @Test func aBuildSeesOnlyItsSourceAndTheSystemReadOnly() async throws {
        let base = try TemporaryDirectory()
        try base.write("storage/admin.token", "dpt_secret")
        try base.write("storage/builds/other/work/src/file", "other build")
        let source = base.url.appendingPathComponent("storage/builds/mine/work/src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let storage = base.url.appendingPathComponent("storage").path
        // A tool installed under /tmp (a checkout's virtualenv, say) is still found despite the private /tmp.
        try base.write("tools/bin/depot-sandbox-tool", "#!/bin/sh\necho tool-ran\n")
        chmod(base.url.appendingPathComponent("tools/bin/depot-sandbox-tool").path, 0o755)
        let path = base.url.appendingPathComponent("tools/bin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let sandbox = BuildSandbox.preferred(hiddenPaths: [storage])
        let directory = try TemporaryDirectory(at: source)
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - if cat "$STORAGE/admin.token"; then echo LEAKED-TOKEN; fi
                  - if ls "$STORAGE/builds/other"; then echo LEAKED-OTHER-BUILD; fi
                  - ls -A "$STORAGE" | grep -vx builds && echo LISTED-STORAGE || true
                  - if touch /usr/depot-sandbox-probe; then echo WROTE-USR; fi
                  - if echo x > /etc/depot-sandbox-probe; then echo WROTE-ETC; fi
                  - echo written > result.txt
                  - echo "uid=$(id -u) name=$(id -un) pid1=$(cat /proc/1/comm)"
                  - echo tmp > /tmp/private && cat /tmp/private
                  - depot-sandbox-tool
            """, in: directory, environment: ["STORAGE": storage, "PATH": path], timeout: .seconds(900), sandbox: sandbox)
        #expect(outcome.status == .succeeded, "\(log)")
        // Whole lines: the log also shows each command, markers included.
        let lines = Set(log.split(separator: "\n").map(String.init))
        for leak in ["LEAKED-TOKEN", "LEAKED-OTHER-BUILD", "LISTED-STORAGE", "WROTE-USR", "WROTE-ETC", "dpt_secret", "other build"] {
            #expect(!lines.contains(leak), "\(leak) in \(log)")
        }
        #expect(log.contains("uid=\(BubblewrapSandbox.buildUID) name=depot-build"), "\(log)")
        #expect(lines.contains("tool-ran"), "\(log)")
        #expect(!log.contains("pid1=systemd") && !log.contains("pid1=init"), "\(log)")
        #expect(try String(contentsOf: source.appendingPathComponent("result.txt"), encoding: .utf8) == "written\n")
        #expect(!FileManager.default.fileExists(atPath: "/usr/depot-sandbox-probe"))
    }

    @Test func stoppingKillsEveryProcessInTheSandbox() async throws {
        let directory = try TemporaryDirectory()
        let marker = "depot-sandbox-stop-\(UUID().uuidString.prefix(8))"
        let control = BuildControl()
        let stopper = Task {
            while !FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("started").path) {
                try await Task.sleep(for: .milliseconds(50))
            }
            await control.stop()
        }
        let (outcome, _) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - setsid sleep 300 \(marker) &
                  - (sleep 301 \(marker)-child &) ; touch started; sleep 600
            """, in: directory, timeout: .seconds(900), control: control, sandbox: BuildSandbox.preferred())
        try await stopper.value
        #expect(outcome.status == .stopped)
        #expect(!processRunning(withArgument: marker))
    }
}
