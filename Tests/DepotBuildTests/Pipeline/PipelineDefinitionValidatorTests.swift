import DepotBuild
import Testing

@Suite struct PipelineDefinitionValidatorTests {
    static func source(_ name: String = "S", output: String = "Src", namespace: String? = "SourceVariables") -> ActionDeclaration {
        ActionDeclaration(
            name: name, actionTypeId: ActionTypeId(category: "Source", provider: "Git"),
            configuration: ["Repository": "https://git.example.com/x.git", "Branch": "main"], outputArtifacts: [output], namespace: namespace)
    }

    static func shell(_ name: String, runOrder: Int = 1, command: String = "make", inputs: [String] = [], outputs: [String] = [], namespace: String? = nil)
        -> ActionDeclaration
    {
        ActionDeclaration(
            name: name, actionTypeId: ActionTypeId(category: "Invoke", provider: "Shell"), runOrder: runOrder, configuration: ["Command": command],
            inputArtifacts: inputs, outputArtifacts: outputs, namespace: namespace)
    }

    static func pipeline(_ stages: [StageDeclaration], variables: [PipelineVariableDeclaration] = []) -> PipelineDefinition {
        PipelineDefinition(name: "p", variables: variables, stages: [StageDeclaration(name: "Source", actions: [source()])] + stages)
    }

    func messages(_ definition: PipelineDefinition) -> [String] {
        PipelineDefinitionValidator.validate(definition).map(\.description)
    }

    @Test func acceptsArtifactsAndNamespacesOfEarlierActions() {
        let definition = Self.pipeline([
            StageDeclaration(
                name: "Work",
                actions: [
                    Self.shell("A", inputs: ["Src"], outputs: ["Out"], namespace: "A"),
                    Self.shell("B", runOrder: 2, command: "use #{A.X} #{SourceVariables.CommitId} #{codepipeline.PipelineExecutionId} #{variables.V}", inputs: ["Out"]),
                ])
        ], variables: [PipelineVariableDeclaration(name: "V", defaultValue: "1")])
        #expect(messages(definition) == [])
    }

    @Test func refusesArtifactsAndReferencesNotProducedBefore() {
        let definition = Self.pipeline([
            StageDeclaration(
                name: "Work",
                actions: [
                    Self.shell("A", command: "#{B.X} #{A.Y} #{Nope.Z} #{variables.Undeclared} #{codepipeline.Other}", inputs: ["Out", "Self"], outputs: ["Self"], namespace: "A"),
                    Self.shell("B", outputs: ["Out"], namespace: "B"),
                    Self.shell("C", runOrder: 2, command: "#{unterminated", inputs: ["Later"]),
                ]),
            StageDeclaration(name: "Later", actions: [Self.shell("D", outputs: ["Later"])]),
        ])
        let found = messages(definition)
        for expected in [
            "stages[1].actions[0].inputArtifacts[0]: artifact 'Out' is output by stages[1].actions[1], which does not run before this action",
            "stages[1].actions[0].inputArtifacts[1]: artifact 'Self' is this action's own output (a cycle)",
            "stages[1].actions[0].configuration.Command: #{A.Y} refers to this action's own namespace (a cycle)",
            "stages[1].actions[0].configuration.Command: #{B.X}: namespace 'B' belongs to stages[1].actions[1], which does not run before this action",
            "stages[1].actions[0].configuration.Command: #{Nope.Z}: no action declares namespace 'Nope'",
            "stages[1].actions[0].configuration.Command: #{variables.Undeclared}: the pipeline declares no variable 'Undeclared'",
            "stages[1].actions[0].configuration.Command: #{codepipeline.Other}: codepipeline has only the variable PipelineExecutionId",
            "stages[1].actions[2].configuration.Command: has a '#{' without its '}'",
            "stages[1].actions[2].inputArtifacts[0]: artifact 'Later' is output by stages[2].actions[0], which does not run before this action",
        ] {
            #expect(found.contains { $0.hasPrefix(expected) }, "missing: \(expected)")
        }
    }

    @Test func sourceActionsBelongInTheFirstStageOnly() {
        var definition = Self.pipeline([StageDeclaration(name: "More", actions: [Self.source("S2", output: "Src2", namespace: nil)])])
        definition.stages[0].actions.append(Self.shell("NotSource"))
        let found = messages(definition)
        #expect(found.contains("stages[0].actions[1].actionTypeId: the first stage holds only Source actions, not Invoke/Shell"))
        #expect(found.contains("stages[1].actions[0].actionTypeId: a Source action belongs in the first stage only"))
        let empty = PipelineDefinition(name: "p", stages: [StageDeclaration(name: "Source", actions: []), StageDeclaration(name: "B", actions: [Self.shell("X")])])
        #expect(messages(empty).contains { $0.hasPrefix("stages[0].actions: has 0 actions") })
    }

    @Test func duplicatesAndReservedNames() {
        let definition = Self.pipeline([
            StageDeclaration(
                name: "Work",
                actions: [
                    Self.shell("A", outputs: ["Src"], namespace: "SourceVariables"),
                    Self.shell("B", namespace: "variables"),
                    Self.shell("C", namespace: "bad.name"),
                ])
        ], variables: [PipelineVariableDeclaration(name: "V", defaultValue: "1"), PipelineVariableDeclaration(name: "V", defaultValue: "2")])
        let found = messages(definition)
        #expect(found.contains("stages[1].actions[0].outputArtifacts[0]: another action already outputs an artifact named 'Src'"))
        #expect(found.contains("stages[1].actions[0].namespace: another action already uses namespace 'SourceVariables'"))
        #expect(found.contains("stages[1].actions[1].namespace: 'variables' is reserved"))
        #expect(found.contains { $0.hasPrefix("stages[1].actions[2].namespace: 'bad.name' is not a valid namespace") })
        #expect(found.contains("variables[1].name: another variable is named 'V'"))
    }

    @Test func limits() {
        let many = (0..<51).map { Self.shell("A\($0)") }
        var definition = Self.pipeline([StageDeclaration(name: "Work", actions: many)])
        definition.stages[1].actions[0].configuration["Command"] = String(repeating: "x", count: 1001)
        definition.name = String(repeating: "n", count: 101)
        let found = messages(definition)
        #expect(found.contains { $0.hasPrefix("stages[1].actions: has 51 actions") })
        #expect(found.contains("stages[1].actions[0].configuration.Command: is longer than 1000 characters"))
        #expect(found.contains { $0.hasPrefix("name: ") })
        let stages = (0..<50).map { StageDeclaration(name: "S\($0)", actions: [Self.shell("A")]) }
        #expect(messages(Self.pipeline(stages)).contains { $0.hasPrefix("stages: has 51 stages") })
    }

    @Test func providerConfiguration() {
        func action(_ category: String, _ provider: String, _ configuration: [String: String], inputs: [String] = ["Src"]) -> ActionDeclaration {
            ActionDeclaration(name: "\(provider)\(configuration.count)", actionTypeId: ActionTypeId(category: category, provider: provider), configuration: configuration, inputArtifacts: inputs)
        }
        var definition = Self.pipeline([
            StageDeclaration(
                name: "Work",
                actions: [
                    action("Build", "Depot", ["Buildspec": "version: 0.1\nphases: {}", "EnvironmentVariables": "[{\"name\":\"1X\",\"value\":\"v\"}]"]),
                    action("Approval", "Manual", ["ExpiresInMinutes": "20000", "ExternalEntityLink": "ftp://x"], inputs: []),
                    action("Deploy", "Promote", ["Format": "npm", "Package": "p", "Versions": "1.0,,2.0", "SourceRepository": "a", "DestinationRepository": "a"], inputs: []),
                    action("Deploy", "AppSpec", ["AppSpec": "../appspec.yml", "TargetDirectory": "relative", "ApplicationName": "a", "DeploymentGroupName": "g"]),
                    action("Invoke", "Shell", [:], inputs: []),
                    action("Deploy", "Rsync", [:]),
                    action("Magic", "Wand", [:]),
                ])
        ])
        definition.stages[0].actions[0].configuration["Branch"] = "-x"
        let found = messages(definition)
        for expected in [
            "stages[0].actions[0].configuration.Branch: must be a valid branch name, not '-x'",
            "stages[1].actions[0].configuration.Buildspec: buildspec line 1: version must be 0.2",
            "stages[1].actions[0].configuration.EnvironmentVariables: '1X' is not a valid environment variable name",
            "stages[1].actions[1].configuration.ExpiresInMinutes: must be a whole number of minutes from 1 to 10080",
            "stages[1].actions[1].configuration.ExternalEntityLink: must be an http or https URL",
            "stages[1].actions[2].configuration.Versions: must be a comma-separated list",
            "stages[1].actions[2].configuration.SourceRepository: must be a repository name, not 'a'",
            "stages[1].actions[3].configuration.AppSpec: must be a relative path",
            "stages[1].actions[3].configuration.TargetDirectory: must be an absolute path",
            "stages[1].actions[4].configuration.Command: Command is required for Invoke/Shell",
            "stages[1].actions[5].actionTypeId.provider: unknown provider 'Rsync' for category Deploy (expected: Promote, AppSpec)",
            "stages[1].actions[6].actionTypeId.category: unknown category 'Magic'",
        ] {
            #expect(found.contains { $0.hasPrefix(expected) }, "missing: \(expected)")
        }
    }
}
