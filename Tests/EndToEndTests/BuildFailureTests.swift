import Foundation
import Testing

/// Failure semantics of `depot build run`: build failure, install failure, timeout, invalid buildspecs.
@Suite("build: failures")
struct BuildFailureTests {
    @Test("a failing build command: finally runs, post_build runs with CODEBUILD_BUILD_SUCCEEDING=0, FAILED")
    func buildFailure() throws {
        let bw = try BuildWorkspace()
        let source = try bw.project(
            "failing",
            [
                "buildspec.yml": """
                    version: 0.2
                    phases:
                      install:
                        commands: [echo installing]
                      build:
                        commands:
                          - echo compiling
                          - exit 3
                          - echo not-reached
                        finally:
                          - echo finally-ran
                      post_build:
                        commands:
                          - echo "post_build succeeding=$CODEBUILD_BUILD_SUCCEEDING id=$CODEBUILD_BUILD_ID"
                    """
            ])
        let (result, json, _) = try bw.build(source)
        #expect(result.status == 1, "\(result.output)")
        #expect(json["status"] as? String == "FAILED")
        #expect(result.stdout.contains("finally-ran"))
        #expect(!result.stdout.contains("\nnot-reached"))
        #expect(result.stdout.contains("post_build succeeding=0 id=failing:"))
        let phases = BuildWorkspace.phases(json)
        #expect(phases["INSTALL"] == "SUCCEEDED" && phases["BUILD"] == "FAILED" && phases["POST_BUILD"] == "SUCCEEDED", "\(phases)")
        #expect(result.stdout.contains("exit status 3"))
    }

    @Test("an install failure skips the later phases")
    func installFailure() throws {
        let bw = try BuildWorkspace()
        let source = try bw.project(
            "install-fails",
            [
                "buildspec.yml": """
                    version: 0.2
                    phases:
                      install:
                        commands: [npm ci]
                        finally: [echo install-finally]
                      build:
                        commands: [echo build-ran]
                      post_build:
                        commands: [echo post-build-ran]
                    """
            ])
        let (result, json, _) = try bw.build(source)
        #expect(result.status == 1)
        #expect(json["status"] as? String == "FAILED")
        #expect(result.stdout.contains("install-finally"))
        #expect(!result.stdout.contains("build-ran"))
        let phases = BuildWorkspace.phases(json)
        #expect(phases["INSTALL"] == "FAILED" && phases["BUILD"] == nil && phases["POST_BUILD"] == nil, "\(phases)")
    }

    @Test("a timeout ends TIMED_OUT and leaves no process behind")
    func timeout() throws {
        let bw = try BuildWorkspace()
        let marker = "7\(Int.random(in: 100_000...999_999))"
        let source = try bw.project(
            "slow",
            [
                "buildspec.yml": """
                    version: 0.2
                    phases:
                      build:
                        commands:
                          - (sleep \(marker) &); sleep \(marker) & wait
                    """
            ])
        let (result, json, _) = try bw.build(source, extra: ["--timeout", "3"])
        #expect(result.status == 1)
        #expect(json["status"] as? String == "TIMED_OUT", "\(result.output)")
        #expect(BuildWorkspace.phases(json)["BUILD"] == "TIMED_OUT")
        #expect(!BuildWorkspace.processRunning(withArgument: "sleep \(marker)"))
    }

    @Test("invalid buildspecs are rejected with line numbers before any command runs")
    func invalidBuildspecs() throws {
        let bw = try BuildWorkspace()
        let cases: [(String, String)] = [
            ("version: 0.2\nphases:\n  build:\n    commands: [touch ran\n", "not valid YAML"),
            ("version: 0.2\nphases:\n  build:\n    commands: [touch ran]\n  deploy:\n    commands: [touch ran]\n", ":5: unknown phase 'deploy'"),
            ("version: 0.2\nphases:\n  build:\n    commands: touch ran\n", ":4: phases.build.commands must be a list"),
            ("version: 0.2\nphases:\n  build:\n    commands: [touch ran]\nartifacts:\n  name: out\n", ":6: artifacts.files is missing"),
        ]
        for (index, (yaml, expected)) in cases.enumerated() {
            let source = try bw.project("invalid-\(index)", ["buildspec.yml": yaml])
            let (result, _, _) = try bw.build(source)
            #expect(result.status == 2, "\(result.output)")
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: source.appendingPathComponent("ran").path))
        }
    }
}
