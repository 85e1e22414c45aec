import Foundation
import Testing

@testable import DepotCargo

@Suite("Cargo in the console")
struct CargoPresentationTests {
    @Test("the index entry's dependencies (real names, non-normal kinds noted); cargo add from the depot registry")
    func details() throws {
        let entry = CargoIndexEntry(
            name: "demo", vers: "1.0.0",
            deps: [
                .init(name: "serde", req: "^1"), .init(name: "json", req: "^1", package: "serde_json"),
                .init(name: "tempfile", req: "^3", kind: "dev"),
            ],
            cksum: String(repeating: "0", count: 64), features: [:], yanked: false)
        let details = CargoPresentation().details(metadata: try entry.encoded())
        #expect(details.dependencies.map { "\($0.name) \($0.requirement)" } == ["serde ^1", "serde_json ^1", "tempfile ^3 (dev)"])
        #expect(CargoPresentation().installLine(name: "demo", version: "1.0.0") == "cargo add demo@1.0.0 --registry depot")
    }
}
