import DepotBuild
import Testing

@Suite struct PipelineVariableResolverTests {
    let resolver = PipelineVariableResolver(
        executionId: "e-1", variables: ["Channel": "beta"], namespaces: ["SourceVariables": ["CommitId": "abc123"]])

    @Test func substitutesEveryKindOfReference() throws {
        #expect(try resolver.resolve("#{codepipeline.PipelineExecutionId}/#{variables.Channel}/#{SourceVariables.CommitId}#") == "e-1/beta/abc123#")
        #expect(try resolver.resolve("no references, a lone # and {braces}") == "no references, a lone # and {braces}")
        #expect(try resolver.resolve(configuration: ["A": "#{variables.Channel}", "B": "x"]) == ["A": "beta", "B": "x"])
    }

    @Test func anUnresolvableReferenceIsAClearError() {
        #expect(throws: PipelineVariableError(problems: ["#{SourceVariables.Missing} has no value", "#{Build.X} has no value"])) {
            try resolver.resolve("#{SourceVariables.Missing} #{Build.X}")
        }
        #expect(throws: PipelineVariableError(problems: ["configuration.B: #{codepipeline.Other} has no value"])) {
            try resolver.resolve(configuration: ["A": "ok", "B": "#{codepipeline.Other}"])
        }
        #expect(throws: PipelineVariableError.self) { try resolver.resolve("#{nodot}") }
    }

    @Test func overridesReplaceDefaults() throws {
        let declared = [PipelineVariableDeclaration(name: "A", defaultValue: "1"), PipelineVariableDeclaration(name: "B", defaultValue: "2")]
        #expect(try PipelineVariableResolver.effectiveVariables(declared: declared, overrides: ["B": "3"]) == ["A": "1", "B": "3"])
        #expect(throws: PipelineVariableError(problems: ["the pipeline declares no variable 'C'"])) {
            try PipelineVariableResolver.effectiveVariables(declared: declared, overrides: ["C": "x"])
        }
        #expect(throws: PipelineVariableError.self) {
            try PipelineVariableResolver.effectiveVariables(declared: [PipelineVariableDeclaration(name: "D")], overrides: [:])
        }
    }
}
