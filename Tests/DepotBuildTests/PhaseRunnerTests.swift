import DepotBuild
import Foundation
import Testing

@Suite struct PhaseRunnerTests {
    @Test func oneShellSessionAcrossCommandsAndPhases() async throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            env:
              variables:
                GREETING: hello
              exported-variables: [VERSION, WHERE, MISSING]
            phases:
              install:
                commands:
                  - cd sub
                  - export VERSION=1.2.3
              build:
                commands:
                  - echo "$GREETING from $(basename $PWD) at $VERSION"
                  - printf 'no newline'
                  - WHERE=$(pwd)
            """, in: dir, environment: ["GREETING": "hello"])
        #expect(outcome.status == .succeeded)
        #expect(outcome.phases.map(\.phase) == [.install, .build])
        #expect(outcome.phases.allSatisfy { $0.status == .succeeded && $0.durationSeconds >= 0 })
        #expect(log.contains("hello from sub at 1.2.3"))
        #expect(log.contains("no newline"))
        #expect(log.contains("Entering phase BUILD"))
        #expect(outcome.exportedVariables["VERSION"] == "1.2.3")
        #expect(outcome.exportedVariables["WHERE"]?.hasSuffix("/sub") == true)
        #expect(outcome.exportedVariables["MISSING"] == "")
    }

    @Test func buildFailureRunsFinallyAndPostBuildWithSucceedingZero() async throws {
        let dir = try TemporaryDirectory()
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - echo building
                  - sh -c 'exit 7'
                  - echo never
                finally:
                  - echo finally-ran
              post_build:
                commands:
                  - echo "post succeeding=$CODEBUILD_BUILD_SUCCEEDING"
            """, in: dir, environment: ["CODEBUILD_BUILD_SUCCEEDING": "1"])
        #expect(outcome.status == .failed)
        #expect(outcome.phases.map(\.status) == [.failed, .succeeded])
        #expect(outcome.phases.first?.message?.contains("exit status 7") == true)
        #expect(log.contains("finally-ran"))
        #expect(!log.contains("\nnever"))
        #expect(log.contains("post succeeding=0"))
    }

    @Test func installFailureSkipsLaterPhases() async throws {
        let dir = try TemporaryDirectory()
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              install:
                commands: [false]
                finally: [echo install-finally]
              pre_build:
                commands: [echo pre-build-ran]
              build:
                commands: [echo build-ran]
              post_build:
                commands: [echo post-build-ran]
            """, in: dir)
        #expect(outcome.status == .failed)
        #expect(outcome.phases.map(\.phase) == [.install])
        #expect(log.contains("install-finally"))
        #expect(!log.contains("build-ran"))
    }

    @Test func onFailureContinueGoesOn() async throws {
        let dir = try TemporaryDirectory()
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              pre_build:
                on-failure: CONTINUE
                commands: [exit 4]
              build:
                commands: [echo "build-ran in a new shell"]
            """, in: dir)
        #expect(outcome.status == .failed)
        #expect(outcome.phases.map(\.status) == [.failed, .succeeded])
        #expect(outcome.phases.first?.message?.contains("exit status 4") == true)
        #expect(log.contains("build-ran in a new shell"))
    }

    @Test func succeedingTurnsZeroAtTheFirstFailure() async throws {
        let dir = try TemporaryDirectory()
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              install:
                on-failure: CONTINUE
                commands:
                  - echo "install before=$CODEBUILD_BUILD_SUCCEEDING"
                  - "false"
                finally:
                  - echo "install finally=$CODEBUILD_BUILD_SUCCEEDING/$DEPOT_BUILD_SUCCEEDING"
              build:
                commands: [echo "build sees=$CODEBUILD_BUILD_SUCCEEDING"]
            """, in: dir, environment: ["CODEBUILD_BUILD_SUCCEEDING": "1", "DEPOT_BUILD_SUCCEEDING": "1"])
        #expect(outcome.status == .failed)
        #expect(log.contains("install before=1"))
        #expect(log.contains("install finally=0/0"))
        #expect(log.contains("build sees=0"))
    }

    @Test func timeoutKillsTheWholeProcessTree() async throws {
        let dir = try TemporaryDirectory()
        let marker = "4242\(Int.random(in: 1000...9999))"
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - echo started
                  - (sleep \(marker) &) ; sleep \(marker)
              post_build:
                commands: [echo post-ran]
            """, in: dir, timeout: .seconds(2))
        #expect(outcome.status == .timedOut)
        #expect(outcome.phases.map(\.status) == [.timedOut])
        #expect(log.contains("started"))
        #expect(!log.contains("post-ran"))
        #expect(!processRunning(withArgument: "sleep \(marker)"))
    }

    /// `setsid` leaves the shell's process group, and its process keeps the output pipe open.
    @Test(.timeLimit(.minutes(1))) func processesThatLeftTheGroupAreKilledAndDoNotHoldTheBuild() async throws {
        let dir = try TemporaryDirectory()
        let marker = "4545\(Int.random(in: 1000...9999))"
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - setsid bash -c 'echo escaped; sleep \(marker)' &
                  - sleep 0.5
            """, in: dir, environment: ["CODEBUILD_BUILD_ID": "p:\(UUID().uuidString)"])
        #expect(outcome.status == .succeeded)
        #expect(log.contains("escaped"))
        #expect(!processRunning(withArgument: "sleep \(marker)"))
    }

    /// One that dropped its build id too survives, but the build still ends after its shell: SUCCEEDED, not held
    /// until the build timeout (no wall-clock bound is asserted: the suite runs on loaded machines).
    @Test(.timeLimit(.minutes(10))) func anUnkillableHolderOfTheOutputDelaysTheEndOnlyBriefly() async throws {
        let dir = try TemporaryDirectory()
        let marker = "4646\(Int.random(in: 1000...9999))"
        defer { killProcesses(withArgument: "sleep \(marker)") }
        let (outcome, _) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands: [env -u CODEBUILD_BUILD_ID setsid sleep \(marker) &]
            """, in: dir, environment: ["CODEBUILD_BUILD_ID": "p:\(UUID().uuidString)"], timeout: .seconds(400))
        #expect(outcome.status == .succeeded)
    }

    @Test func outputWithoutNewlinesIsCutIntoBoundedLines() async throws {
        let dir = try TemporaryDirectory()
        let (outcome, log) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - head -c 300000 /dev/zero | tr '\\0' x
                  - echo after
            """, in: dir)
        #expect(outcome.status == .succeeded)
        let lines = log.split(separator: "\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 64 * 1024 })
        #expect(lines.filter { $0.allSatisfy { $0 == "x" } }.reduce(0) { $0 + $1.count } == 300000)
        #expect(lines.contains("after"))
    }

    @Test func stopEndsStopped() async throws {
        let dir = try TemporaryDirectory()
        let control = BuildControl()
        let marker = "4343\(Int.random(in: 1000...9999))"
        async let run = runPhases(
            """
            version: 0.2
            phases:
              build:
                commands: [touch started, sleep \(marker)]
            """, in: dir, control: control)
        while !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("started").path) {
            try await Task.sleep(for: .milliseconds(20))
        }
        await control.stop()
        let (outcome, _) = try await run
        #expect(outcome.status == .stopped)
        #expect(!processRunning(withArgument: "sleep \(marker)"))
    }

    @Test func secretsAreMaskedInEveryLine() async throws {
        let dir = try TemporaryDirectory()
        let (_, log) = try await runPhases(
            """
            version: 0.2
            phases:
              build:
                commands:
                  - echo "the secret is $SECRET"
                  - echo "$SECRET" >&2
            """, in: dir, environment: ["SECRET": "hunter2-value"], secrets: ["hunter2-value"])
        #expect(!log.contains("hunter2-value"))
        #expect(log.contains("the secret is ***"))
    }
}
