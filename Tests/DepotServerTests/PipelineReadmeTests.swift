import DepotBuild
import Foundation
import Testing

@Suite("Pipelines README")
struct PipelineReadmeTests {
    @Test("the README's example definition is valid")
    func readmeExampleParses() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Pipelines\n").dropFirst().first)
        let yaml = try #require(section.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```\n").first)
        let definition = try PipelineDefinitionParser.parse(yaml)
        #expect(definition.name == "web-app")
        #expect(definition.stages.map(\.name) == ["Source", "Build", "Approve", "Release"])
    }
}
