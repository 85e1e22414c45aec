import DepotCore
import Foundation
import Testing

private func repo(_ name: String, _ upstreams: [String] = []) -> Repository {
    Repository(id: 0, domainID: 1, name: name, upstreams: upstreams)
}

@Suite("RepositoryGraph")
struct RepositoryGraphTests {
    // MARK: Search order

    @Test("search order is the repository itself, then its upstreams depth first")
    func searchOrderDepthFirst() {
        // a -> [b, c], b -> [d], c -> [e]: depth first means d (through b) comes before c.
        let graph = RepositoryGraph(repositories: [
            repo("a", ["b", "c"]), repo("b", ["d"]), repo("c", ["e"]), repo("d"), repo("e"),
        ])
        #expect(graph.searchOrder(from: "a") == ["a", "b", "d", "c", "e"])
        #expect(graph.searchOrder(from: "c") == ["c", "e"])
        #expect(graph.searchOrder(from: "d") == ["d"])
    }

    @Test("a repository reachable twice (diamond) is visited only once, at its first position")
    func searchOrderVisitsEachOnce() {
        // a -> [b, c], b -> [d], c -> [d, e]
        let graph = RepositoryGraph(repositories: [
            repo("a", ["b", "c"]), repo("b", ["d"]), repo("c", ["d", "e"]), repo("d"), repo("e"),
        ])
        let order = graph.searchOrder(from: "a")
        #expect(order == ["a", "b", "d", "c", "e"])
        #expect(Set(order).count == order.count)
    }

    @Test("upstream order is respected (search stops at the first hit, so order matters)")
    func searchOrderRespectsListOrder() {
        let graph = RepositoryGraph(repositories: [repo("a", ["z", "m", "b"]), repo("z"), repo("m"), repo("b")])
        #expect(graph.searchOrder(from: "a") == ["a", "z", "m", "b"])
    }

    @Test("search order terminates even if stored data contains a cycle")
    func searchOrderTerminatesOnCycle() {
        let graph = RepositoryGraph(repositories: [repo("x", ["y"]), repo("y", ["z"]), repo("z", ["x"])])
        #expect(graph.searchOrder(from: "x") == ["x", "y", "z"])
        #expect(graph.searchOrder(from: "z") == ["z", "x", "y"])
    }

    @Test("an unknown repository yields just itself")
    func searchOrderUnknown() {
        let graph = RepositoryGraph(repositories: [repo("a")])
        #expect(graph.searchOrder(from: "nope") == ["nope"])
    }

    @Test("dependents are the repositories naming it as a direct upstream, sorted")
    func dependents() {
        let graph = RepositoryGraph(repositories: [
            repo("zeta", ["shared"]), repo("alpha", ["shared", "other"]), repo("mid", ["alpha"]), repo("shared"),
            repo("other"),
        ])
        #expect(graph.dependents(of: "shared") == ["alpha", "zeta"])
        #expect(graph.dependents(of: "alpha") == ["mid"])
        #expect(graph.dependents(of: "mid").isEmpty)
    }

    // MARK: Validation

    @Test("a valid upstream list passes")
    func validateValid() throws {
        let graph = RepositoryGraph(repositories: [repo("a"), repo("b"), repo("c", ["a"])])
        try graph.validate(upstreams: ["c", "b"], for: "new")
        try graph.validate(upstreams: [], for: "new")
        try graph.validate(upstreams: [], for: "a")
    }

    @Test("an unknown upstream is rejected")
    func validateUnknown() {
        let graph = RepositoryGraph(repositories: [repo("a")])
        let error = #expect(throws: DepotError.self) { try graph.validate(upstreams: ["a", "ghost"], for: "new") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "UnknownUpstream")
        #expect(error?.message.contains("ghost") == true)
    }

    @Test("a repository cannot be its own upstream")
    func validateSelf() {
        let graph = RepositoryGraph(repositories: [repo("a"), repo("b")])
        let error = #expect(throws: DepotError.self) { try graph.validate(upstreams: ["b", "a"], for: "a") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "UpstreamCycle")
        // Also for a repository being created that names itself.
        let created = #expect(throws: DepotError.self) { try graph.validate(upstreams: ["fresh"], for: "fresh") }
        #expect(created?.kind == .badRequest)
    }

    @Test("the same upstream twice is rejected")
    func validateDuplicates() {
        let graph = RepositoryGraph(repositories: [repo("a"), repo("b")])
        let error = #expect(throws: DepotError.self) { try graph.validate(upstreams: ["a", "b", "a"], for: "new") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "DuplicateUpstream")
    }

    @Test("ten upstreams are allowed, eleven are not")
    func validateMaxUpstreams() throws {
        #expect(RepositoryGraph.maxUpstreams == 10)
        let names = (0..<11).map { "up\($0)" }
        let graph = RepositoryGraph(repositories: names.map { repo($0) })
        try graph.validate(upstreams: Array(names.prefix(10)), for: "new")
        let error = #expect(throws: DepotError.self) { try graph.validate(upstreams: names, for: "new") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "TooManyUpstreams")
    }

    @Test("a direct cycle (a -> b, then b -> a) is rejected")
    func validateDirectCycle() {
        let graph = RepositoryGraph(repositories: [repo("a", ["b"]), repo("b")])
        let error = #expect(throws: DepotError.self) { try graph.validate(upstreams: ["a"], for: "b") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "UpstreamCycle")
    }

    @Test("an indirect cycle (a -> b -> c, then c -> a) is rejected")
    func validateIndirectCycle() {
        let graph = RepositoryGraph(repositories: [repo("a", ["b"]), repo("b", ["c"]), repo("c")])
        let error = #expect(throws: DepotError.self) { try graph.validate(upstreams: ["a"], for: "c") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "UpstreamCycle")
        // A longer path: c -> [x, a] where only the second closes the loop.
        let longer = RepositoryGraph(repositories: [repo("a", ["b"]), repo("b", ["c"]), repo("c"), repo("x")])
        let error2 = #expect(throws: DepotError.self) { try longer.validate(upstreams: ["x", "a"], for: "c") }
        #expect(error2?.code == "UpstreamCycle")
    }

    @Test("a cycle through a deep chain is rejected")
    func validateDeepCycle() {
        let names = (0..<8).map { "r\($0)" }
        var repositories: [Repository] = []
        for (i, name) in names.enumerated() {
            repositories.append(repo(name, i + 1 < names.count ? [names[i + 1]] : []))
        }
        let graph = RepositoryGraph(repositories: repositories)
        #expect(throws: DepotError.self) { try graph.validate(upstreams: ["r0"], for: "r7") }
        #expect(throws: DepotError.self) { try graph.validate(upstreams: ["r3"], for: "r5") }
        // Pointing forward along the chain is fine.
        #expect(throws: Never.self) { try graph.validate(upstreams: ["r7"], for: "r0") }
    }

    @Test("diamond shapes are allowed")
    func validateDiamond() throws {
        // b -> d and c -> d exist; a -> [b, c] makes a diamond, which is not a cycle.
        let graph = RepositoryGraph(repositories: [repo("a"), repo("b", ["d"]), repo("c", ["d"]), repo("d")])
        try graph.validate(upstreams: ["b", "c"], for: "a")
        // A new repository listing both a node and one of its ancestors is also fine.
        try graph.validate(upstreams: ["b", "d"], for: "top")
    }

    @Test("validation uses the proposed list, replacing the repository's current upstreams")
    func validateReplacesCurrentList() throws {
        // a -> b now; changing a to [c] and then asking whether b may use a is judged on the proposal only.
        let graph = RepositoryGraph(repositories: [repo("a", ["b"]), repo("b"), repo("c")])
        try graph.validate(upstreams: ["c"], for: "a")
        // Removing a's upstreams is always fine.
        try graph.validate(upstreams: [], for: "a")
    }
}
