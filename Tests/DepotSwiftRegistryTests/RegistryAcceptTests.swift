import DepotCore
import Testing

@testable import DepotSwiftRegistry

@Suite("Accept negotiation (API version 1)")
struct RegistryAcceptTests {
    @Test("What SwiftPM sends, and what other clients send, is served")
    func accepted() {
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry.v1+json", serving: .json) == .accepted)
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry.v1+zip", serving: .zip) == .accepted)
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry.v1+swift", serving: .swift) == .accepted)
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry.v1", serving: .json) == .accepted)
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry", serving: .zip) == .accepted)
        #expect(RegistryAccept.evaluate("Application/VND.Swift.Registry.V1+JSON; q=0.9", serving: .json) == .accepted)
        #expect(RegistryAccept.evaluate(nil, serving: .json) == .accepted)
        #expect(RegistryAccept.evaluate("*/*", serving: .zip) == .accepted)
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry.v1+zip, */*", serving: .json) == .accepted)
    }

    @Test("Another or a malformed API version is a 400", arguments: [
        "application/vnd.swift.registry.v2+json", "application/vnd.swift.registry.v+json", "application/vnd.swift.registry.vx",
        "application/vnd.swift.registry.v01+json", "application/vnd.swift.registry2+json", "application/vnd.swift.registry.v1.0",
    ])
    func invalidVersion(_ header: String) throws {
        guard case .invalidVersion = RegistryAccept.evaluate(header, serving: .json) else {
            Issue.record("\(header) was not refused")
            return
        }
        let error = try #require(throws: DepotError.self) { try RegistryAccept.require(header, serving: .json) }
        #expect(error.kind == .badRequest)
        #expect(error.message.contains("API version"))
    }

    @Test("A registry media type of another kind is a 406")
    func otherMediaType() throws {
        #expect(RegistryAccept.evaluate("application/vnd.swift.registry.v1+zip", serving: .json) == .notAcceptable)
        let error = try #require(throws: DepotError.self) {
            try RegistryAccept.require("application/vnd.swift.registry.v1+json", serving: .swift)
        }
        #expect(error.kind == .notAcceptable)
    }
}
