import DepotBuild
import Foundation
import Testing

@Suite struct PipelineDefinitionParserTests {
    @Test func parsesTheReadmeExample() throws {
        let definition = try PipelineDefinitionParser.parse(PipelineFixtures.readmeExample)
        #expect(definition.name == "web-app")
        #expect(definition.executionMode == .superseded)
        #expect(definition.variables == [PipelineVariableDeclaration(name: "Channel", defaultValue: "beta", description: "where the release goes")])
        #expect(definition.stages.map(\.name) == ["Source", "Build", "Approve", "Release"])
        let build = definition.stages[1].actions[0]
        #expect(build.provider == .depotBuild)
        #expect(build.runOrder == 1)
        #expect(build.inputArtifacts == ["SourceOutput"])
        let variables = try BuildActionEnvironmentVariable.parse(try #require(build.configuration["EnvironmentVariables"]))
        #expect(variables == [.init(name: "COMMIT", value: "#{SourceVariables.CommitId}"), .init(name: "CHANNEL", value: "#{variables.Channel}")])
        #expect(definition.stages[1].actions[1].provider == .depotTest)
        #expect(definition.stages[2].actions[0].configuration["ExpiresInMinutes"] == "60")
        #expect(definition.stages[3].actions[1].runOrder == 2)
        #expect(PipelineDefinitionValidator.validate(definition).isEmpty)
    }

    @Test func readsCodePipelineJSON() throws {
        let definition = try PipelineDefinitionParser.parse(
            """
            {"pipeline": {"name": "p", "roleArn": "arn:aws:iam::1:role/x", "version": 1, "domain": null,
              "stages": [
                {"name": "Source", "actions": [{"name": "S", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "Git", "version": "1"},
                  "configuration": {"Repository": "/srv/git/p.git", "BranchName": "main"}, "outputArtifacts": [{"name": "Src"}], "runOrder": 1}]},
                {"name": "Build", "actions": [{"name": "B", "actionTypeId": {"category": "Build", "provider": "Depot"},
                  "configuration": {"ProjectName": "proj", "EnvironmentVariables": "[{\\"name\\":\\"A\\",\\"value\\":\\"1\\",\\"type\\":\\"PLAINTEXT\\"}]"},
                  "inputArtifacts": [{"name": "Src"}]}]}
              ]}}
            """)
        #expect(definition.domain == nil)
        #expect(definition.stages[0].actions[0].outputArtifacts == ["Src"])
        #expect(GitSourceConfiguration(definition.stages[0].actions[0].configuration)?.branch == "main")
        let configuration = try BuildActionConfiguration(definition.stages[1].actions[0].configuration, inputArtifacts: ["Src"])
        #expect(configuration.environmentVariables == [.init(name: "A", value: "1")])
        #expect(configuration.primarySource == "Src")
    }

    @Test func reportsEveryProblemWithPathAndLine() throws {
        let error = #expect(throws: PipelineDefinitionError.self) {
            try PipelineDefinitionParser.parse(
                """
                name: bad name
                executionMode: PARALLEL
                stages:
                  - name: Source
                    actions:
                      - name: S
                        category: Source
                        provider: Git
                        configuration:
                          Repository: /srv/git/x.git
                        outputArtifacts: [Src]
                  - name: Source
                    actions:
                      - name: B
                        category: Build
                        provider: Depot
                        runOrder: 1000
                        configuration: {ProjectName: xy, Colour: red}
                        inputArtifacts: [Missing]
                      - name: B
                        category: Build
                        provider: Gradle
                """)
        }
        let problems = try #require(error).problems
        func has(_ path: String, line: Int, _ text: String) -> Bool {
            problems.contains { $0.path == path && $0.line == line && $0.message.contains(text) }
        }
        #expect(has("name", line: 1, "not a valid name"))
        #expect(has("executionMode", line: 2, "QUEUED or SUPERSEDED"))
        #expect(has("stages[0].actions[0].configuration.Branch", line: 9, "Branch or BranchName is required"))
        #expect(has("stages[1].name", line: 12, "another stage is named 'Source'"))
        #expect(has("stages[1].actions[0].runOrder", line: 17, "1 to 999"))
        #expect(has("stages[1].actions[0].configuration.Colour", line: 18, "unknown configuration key"))
        #expect(has("stages[1].actions[0].inputArtifacts[0]", line: 19, "no action outputs an artifact named 'Missing'"))
        #expect(has("stages[1].actions[1].name", line: 20, "another action of stage 'Source' is named 'B'"))
        #expect(has("stages[1].actions[1].actionTypeId.provider", line: 20, "unknown provider 'Gradle'"))
        #expect(problems.count == 9, "\(problems)")
        #expect(try #require(error).description.contains("line 17: stages[1].actions[0].runOrder: must be from 1 to 999, not 1000"))
    }

    @Test func aStoredDefinitionReadsBackThroughTheParser() throws {
        let definition = try PipelineDefinitionParser.parse(PipelineFixtures.readmeExample)
        let json = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
        #expect(try PipelineDefinitionParser.parse(json) == definition)
        #expect(try JSONDecoder().decode(PipelineDefinition.self, from: Data(json.utf8)) == definition)
    }

    @Test func jsonProblemsCarryTheirLine() throws {
        let error = #expect(throws: PipelineDefinitionError.self) {
            try PipelineDefinitionParser.parse(
                """
                {
                  "name": "p",
                  "stages": [
                    {"name": "Source", "actions": [
                      {"name": "S", "category": "Source", "provider": "Git",
                       "configuration": {"Repository": "/srv/x.git", "Branch": "main"}, "outputArtifacts": ["Src"]}]},
                    {"name": "Build", "actions": [
                      {"name": "B", "category": "Build", "provider": "Depot",
                       "configuration": {"ProjectName": "proj"}, "inputArtifacts": ["Nope"]}]}
                  ]
                }
                """)
        }
        #expect(try #require(error).problems == [
            PipelineDefinitionProblem(path: "stages[1].actions[0].inputArtifacts[0]", line: 9, message: "no action outputs an artifact named 'Nope'")
        ])
    }

    @Test func reportsTypeErrorsAndUnknownKeys() throws {
        let error = #expect(throws: PipelineDefinitionError.self) {
            try PipelineDefinitionParser.parse(
                """
                name: p
                colour: red
                variables: nope
                stages:
                  - name: Source
                    actions:
                      - name: S
                        actionTypeId: {category: Source}
                        runOrder: first
                        configuration: {Repository: [a], Branch: main}
                        outputArtifacts: [{nom: x}]
                """)
        }
        let paths = try #require(error).problems.map(\.path)
        #expect(paths.contains("colour"))
        #expect(paths.contains("variables"))
        #expect(paths.contains("stages[0].actions[0].actionTypeId.provider"))
        #expect(paths.contains("stages[0].actions[0].runOrder"))
        #expect(paths.contains("stages[0].actions[0].configuration.Repository"))
        #expect(paths.contains("stages[0].actions[0].outputArtifacts[0].nom"))
        #expect(paths.contains("stages"))  // one stage only
    }

    @Test func refusesBadYAMLHugeDocumentsAndAliasBombs() {
        for text in [
            "name: [unclosed",
            String(repeating: "#", count: PipelineLimits.maxDocumentBytes + 1),
            "",
            """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            """,
        ] {
            #expect(throws: PipelineDefinitionError.self) { try PipelineDefinitionParser.parse(text) }
        }
    }

    /// Oversized lists are cut at their limit while they are read, and a definition with thousands of mistakes
    /// reports the first hundred and a count, not megabytes of problems.
    @Test func oversizedListsAreCutAndProblemsCapped() throws {
        let stage = "  - name: S{n}\n    actions:\n      - {name: A, category: Invoke, provider: Shell, configuration: {Command: x}}\n"
        let stages = (0..<60).map { stage.replacingOccurrences(of: "{n}", with: "\($0)") }.joined()
        let source = "  - name: Source\n    actions:\n      - {name: Checkout, category: Source, provider: Git, configuration: {Repository: /r, Branch: main}, outputArtifacts: [Src]}\n"
        do {
            _ = try PipelineDefinitionParser.parse("name: big\nstages:\n" + source + stages)
            Issue.record("61 stages were accepted")
        } catch {
            #expect(error.problems.map(\.description) == ["line 3: stages: has 61 stages; at most 50"])
        }

        let actions = (0..<2000).map { "      - {name: 'bad name \($0)', category: Invoke, provider: Shell, configuration: {Command: x}}\n" }
        let many = "name: many\nvariables: [" + Array(repeating: "{name: v}", count: 70).joined(separator: ", ") + "]\nstages:\n" + source
            + "  - name: Work\n    actions:\n" + actions.joined()
        do {
            _ = try PipelineDefinitionParser.parse(many)
            Issue.record("the definition was accepted")
        } catch {
            #expect(error.problems.count == PipelineLimits.maxReportedProblems + 1)
            let messages = error.problems.map(\.description)
            #expect(messages.contains("line 2: variables: has 70 variables; at most 50"))
            #expect(messages.contains { $0.hasSuffix("stages[1].actions: has 2000 actions; at most 50") })
            #expect(messages.last?.hasPrefix("and ") == true && messages.last?.hasSuffix(" more problems") == true, "\(messages.last ?? "")")
        }
    }
}

