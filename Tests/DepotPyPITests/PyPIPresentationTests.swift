import Foundation
import Testing

@testable import DepotPyPI

@Suite("PyPI in the console")
struct PyPIPresentationTests {
    @Test("Requires-Dist lines are the dependencies; pip's install line")
    func details() throws {
        let stored = try PyPIVersionMetadata(files: [:], summary: "s", requiresDist: ["requests>=2", "rich; extra == 'cli'"]).encoded()
        let details = PyPIPresentation().details(metadata: stored)
        #expect(details.readme == nil)
        #expect(details.dependencies.map(\.name) == ["requests>=2", "rich; extra == 'cli'"])
        #expect(PyPIPresentation().installLine(name: "demo-pkg", version: "1.0") == "pip install demo-pkg==1.0")
        #expect(PyPIPresentation().details(metadata: Data("{".utf8)) == .init())
    }
}
