import DepotBuild
import Foundation

extension FuzzTargets {
    /// Selector: a pipeline definition (YAML or JSON; a valid one is planned and its configuration values resolved),
    /// an appspec.yml, or a Source/Git repository checked against the allow-list.
    static let pipeline = FuzzTarget(name: "pipeline", summary: "pipeline definitions (YAML, JSON), appspec.yml, git source allow-list") {
        bytes in
        let input = FuzzInput(bytes)
        switch input.selector % 3 {
        case 0:
            let definition: PipelineDefinition
            do throws(PipelineDefinitionError) {
                definition = try PipelineDefinitionParser.parse(input.text)
            } catch {
                check(!error.problems.isEmpty, "a refused definition reports no problem")
                check(error.problems.count <= PipelineLimits.maxReportedProblems + 1, "more problems reported than the limit")
                return
            }
            let plan = PipelineExecutionPlan(definition)
            check(plan.stages.count == definition.stages.count, "the plan lost a stage")
            check(definition.stages.count <= PipelineLimits.maxStages, "more stages than the limit were accepted")
            let resolver = PipelineVariableResolver(executionId: "e", variables: [:])
            for action in definition.stages.flatMap(\.actions) {
                check(action.configuration.count <= PipelineLimits.maxConfigurationKeys, "more configuration keys than the limit")
                _ = try? resolver.resolve(configuration: action.configuration)
            }
        case 1:
            _ = try? AppSpecParser.parse(input.text)
        default:
            let policy = GitSourcePolicy(allowedHosts: ["git.example.com"], allowedDirectories: ["/srv/git"])
            if policy.refusal(input.text) == nil {
                check(!input.text.hasPrefix("-") && !input.text.contains("::"), "an option or transport helper was allowed: \(input.text)")
            }
        }
    }
}
