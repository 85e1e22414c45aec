import DepotBuild
import Testing

@Suite struct PipelineAppSpecParserTests {
    @Test func readsFilesAndHooks() throws {
        let spec = try AppSpecParser.parse(
            """
            version: 0.0
            os: linux
            files:
              - source: /
                destination: /
              - source: config/app.conf
                destination: etc
            file_exists_behavior: OVERWRITE
            hooks:
              ApplicationStop:
                - location: scripts/stop.sh
                  timeout: 60
              BeforeInstall:
                - location: scripts/before.sh
              ValidateService:
                - location: scripts/check.sh
                  timeout: 3600
                  runas: deploy
            """)
        #expect(spec.files == [AppSpecFile(source: "/", destination: "/"), AppSpecFile(source: "config/app.conf", destination: "etc")])
        #expect(spec.fileExistsBehavior == .overwrite)
        #expect(spec.hooks[.applicationStop] == [AppSpecHook(location: "scripts/stop.sh", timeoutSeconds: 60)])
        #expect(spec.hooks[.beforeInstall] == [AppSpecHook(location: "scripts/before.sh", timeoutSeconds: 3600)])
        #expect(spec.hooks[.validateService]?.first?.runAs == "deploy")
        #expect(LifecycleEventName.allCases.sorted() == [.applicationStop, .beforeInstall, .afterInstall, .applicationStart, .validateService])
    }

    @Test func reportsEveryProblemAndRefusesTraversal() throws {
        let error = #expect(throws: AppSpecError.self) {
            try AppSpecParser.parse(
                """
                version: 1.0
                os: windows
                permissions: []
                files:
                  - source: ../secrets
                    destination: /srv/../../etc
                  - source: /etc/passwd
                    destination: x
                  - destination: y
                hooks:
                  BeforeInstall:
                    - location: /bin/rm
                      timeout: 3601
                    - location: scripts/../../x.sh
                  AfterAllowTraffic:
                    - location: a.sh
                  Restart: []
                """)
        }
        let problems = try #require(error).problems
        for (path, line) in [
            ("version", 1), ("os", 2), ("permissions", 3), ("files[0].source", 5), ("files[0].destination", 5), ("files[1].source", 7),
            ("files[2].source", 9), ("hooks.BeforeInstall[0].location", 12), ("hooks.BeforeInstall[0].timeout", 13),
            ("hooks.BeforeInstall[1].location", 14), ("hooks.AfterAllowTraffic", 15), ("hooks.Restart", 17),
        ] {
            #expect(problems.contains { $0.path == path && $0.line == line }, "missing \(path) at line \(line): \(problems)")
        }
        #expect(problems.count == 12)
    }

    @Test func refusesMissingVersionAndOS() {
        #expect(throws: AppSpecError.self) { try AppSpecParser.parse("files: []") }
        #expect(throws: AppSpecError.self) { try AppSpecParser.parse("[not, a, mapping]") }
    }
}
