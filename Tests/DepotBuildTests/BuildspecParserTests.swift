import DepotBuild
import Testing

@Suite struct BuildspecParserTests {
    @Test func readsEveryKey() throws {
        let spec = try BuildspecParser.parse(
            """
            version: 0.2
            env:
              shell: bash
              variables:
                GREETING: hello
                COUNT: 3
              secrets:
                NPM_SECRET: npm-secret
              secrets-manager:
                DB: db-password:password
              exported-variables:
                - VERSION
            phases:
              install:
                on-failure: CONTINUE
                commands:
                  - npm ci
              build:
                commands:
                  - npm test
                  - |
                    echo one
                    echo two
                finally:
                  - echo done
            reports:
              unit:
                files: ['**/junit*.xml']
                base-directory: reports
                file-format: JUNITXML
            artifacts:
              files:
                - 'dist/**/*'
              name: app
              discard-paths: yes
              exclude-paths: '**/*.map'
              secondary-artifacts:
                docs:
                  files: [docs/*]
            cache:
              paths: ['node_modules/**/*']
              key: npm
              fallback-keys: [n]
            """)
        #expect(spec.env.variables.map(\.name) == ["GREETING", "COUNT"])
        #expect(spec.env.variables.last?.value == "3")
        #expect(spec.env.secrets.map(\.secret) == ["npm-secret", "db-password"])
        #expect(spec.env.exportedVariables == ["VERSION"])
        #expect(spec.phases[.install]?.onFailure == .continue)
        #expect(spec.phases[.build]?.commands == ["npm test", "echo one\necho two\n"])
        #expect(spec.phases[.build]?.finally == ["echo done"])
        #expect(spec.reports == [BuildspecReportGroup(name: "unit", files: ["**/junit*.xml"], baseDirectory: "reports")])
        #expect(spec.artifacts?.discardPaths == true)
        #expect(spec.artifacts?.excludePaths == ["**/*.map"])
        #expect(spec.artifacts?.secondary["docs"]?.files == ["docs/*"])
        #expect(spec.cache == BuildspecCache(paths: ["node_modules/**/*"], key: "npm", fallbackKeys: ["n"]))
    }

    private func problems(_ text: String) -> [BuildspecProblem] {
        do {
            _ = try BuildspecParser.parse(text)
            return []
        } catch let error as BuildspecError {
            return error.problems
        } catch {
            return [BuildspecProblem(line: nil, message: "\(error)")]
        }
    }

    /// Found while auditing the buildspec fuzz target: Yams hashes every mapping key with its aliases expanded, so
    /// these few hundred bytes ("billion laughs", 9^12 values) kept a build worker busy for ever. Anchors and aliases
    /// within reason still work.
    @Test func refusesAliasesThatExpandBeyondTheBudget() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for i in 1...12 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]") }
        lines += ["? *a12", ": v"]
        let found = problems(lines.joined(separator: "\n"))
        #expect(found.map(\.message) == ["the buildspec expands to more than 100000 values through YAML aliases"])

        let spec = try? BuildspecParser.parse(
            "version: 0.2\nphases:\n  build:\n    commands: &c [make, make test]\n  post_build:\n    commands: *c\n")
        #expect(spec?.phases[.postBuild]?.commands == ["make", "make test"])
    }

    @Test func reportsBadYAMLWithItsLine() {
        let found = problems("version: 0.2\nphases:\n  build:\n    commands: [echo\n  x: : y\n")
        #expect(found.count == 1)
        #expect(found.first?.line != nil)
        #expect(found.first?.message.contains("not valid YAML") == true)
    }

    @Test func reportsUnknownPhasesKeysAndWrongTypesWithLines() {
        let found = problems(
            """
            version: 0.2
            phases:
              compile:
                commands: [make]
              build:
                commands: echo hi
                retries: 3
                on-failure: IGNORE
              post_build:
                commands:
                  - echo tag: latest
            artifacts:
              name: x
            colour: blue
            """)
        #expect(found.contains { $0.line == 3 && $0.message.contains("unknown phase 'compile'") })
        #expect(found.contains { $0.line == 6 && $0.message.contains("phases.build.commands must be a list") })
        #expect(found.contains { $0.line == 7 && $0.message.contains("unknown key 'retries'") })
        #expect(found.contains { $0.line == 8 && $0.message.contains("ABORT or CONTINUE") })
        #expect(found.contains { $0.line == 11 && $0.message.contains("quote a command") })
        #expect(found.contains { $0.line == 13 && $0.message.contains("artifacts.files is missing") })
        #expect(found.contains { $0.line == 14 && $0.message.contains("unknown key 'colour'") })
    }

    @Test func rejectsRunAsOtherReportFormatsAndVersions() {
        let found = problems(
            """
            version: 0.1
            run-as: root
            phases:
              build:
                run-as: nobody
                commands: [make]
            reports:
              cov:
                files: [coverage.xml]
                file-format: COBERTURAXML
            """)
        #expect(found.contains { $0.line == 1 && $0.message.contains("version must be 0.2") })
        #expect(found.contains { $0.line == 2 && $0.message.contains("run-as is not supported") })
        #expect(found.contains { $0.line == 5 && $0.message.contains("run-as is not supported") })
        #expect(found.contains { $0.line == 10 && $0.message.contains("only JUNITXML") })
    }

    @Test func rejectsEmptyAndPhaselessBuildspecs() {
        #expect(problems("").first?.message.contains("empty") == true)
        #expect(problems("version: 0.2\n").first?.message.contains("no phases") == true)
        #expect(problems("- a\n- b\n").first?.message.contains("must be a mapping") == true)
    }

    @Test func errorDescriptionNamesFileAndLines() {
        let error = BuildspecError(file: "ci/buildspec.yml", problems: [BuildspecProblem(line: 4, message: "unknown phase 'x'")])
        #expect(error.description.contains("ci/buildspec.yml:4: unknown phase 'x'"))
    }
}
