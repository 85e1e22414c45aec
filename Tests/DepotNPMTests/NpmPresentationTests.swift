import Foundation
import Testing

@testable import DepotNPM

@Suite("npm in the console")
struct NpmPresentationTests {
    @Test("the stored README and the dependency maps; an install line")
    func details() throws {
        let stored = try NpmVersionMetadata(
            manifest: ["name": "demo", "dependencies": ["b": "^2", "a": "1.x"], "peerDependencies": ["react": ">=18"]],
            readme: "# Demo\n", readmeFilename: "README.md"
        ).encoded()
        let details = NpmPresentation().details(metadata: stored)
        #expect(details.readme == "# Demo\n")
        #expect(details.dependencies.map { "\($0.name) \($0.requirement)" } == ["a 1.x", "b ^2", "react >=18"])
        #expect(NpmPresentation().installLine(name: "@acme/demo", version: "1.0.0") == "npm install @acme/demo@1.0.0")
    }

    @Test("metadata it cannot read shows nothing")
    func unreadable() {
        #expect(NpmPresentation().details(metadata: Data("[]".utf8)) == .init())
        #expect(NpmPresentation().details(metadata: Data(#"{"manifest":{},"readme":""}"#.utf8)).readme == nil)
    }
}
