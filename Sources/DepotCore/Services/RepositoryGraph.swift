/// The upstream graph of one domain's repositories: search order and cycle checks.
public struct RepositoryGraph: Sendable {
    public static let maxUpstreams = 10
    private let upstreamsByName: [String: [String]]

    public init(repositories: [Repository]) {
        upstreamsByName = Dictionary(uniqueKeysWithValues: repositories.map { ($0.name, $0.upstreams) })
    }

    /// The repository itself, then its upstreams in order, depth first, each visited once.
    public func searchOrder(from name: String) -> [String] {
        var order: [String] = []
        var seen: Set<String> = []
        func visit(_ name: String) {
            guard seen.insert(name).inserted else { return }
            order.append(name)
            for upstream in upstreamsByName[name] ?? [] { visit(upstream) }
        }
        visit(name)
        return order
    }

    /// The repositories that name `name` as a direct upstream.
    public func dependents(of name: String) -> [String] {
        upstreamsByName.filter { $0.value.contains(name) }.map(\.key).sorted()
    }

    /// Checks a proposed upstream list for `name`: known names, no duplicates, at most 10, no cycle.
    public func validate(upstreams: [String], for name: String) throws {
        guard upstreams.count <= Self.maxUpstreams else {
            throw DepotError.badRequest("a repository may have at most \(Self.maxUpstreams) upstreams", code: "TooManyUpstreams")
        }
        guard Set(upstreams).count == upstreams.count else {
            throw DepotError.badRequest("upstream list names a repository twice", code: "DuplicateUpstream")
        }
        for upstream in upstreams {
            guard upstream != name else {
                throw DepotError.badRequest("a repository cannot be its own upstream", code: "UpstreamCycle")
            }
            guard upstreamsByName[upstream] != nil else {
                throw DepotError.badRequest("upstream repository '\(upstream)' does not exist in this domain", code: "UnknownUpstream")
            }
        }
        var proposed = upstreamsByName
        proposed[name] = upstreams
        let graph = RepositoryGraph(upstreamsByName: proposed)
        for upstream in upstreams where graph.searchOrder(from: upstream).contains(name) {
            throw DepotError.badRequest(
                "upstream '\(upstream)' leads back to '\(name)': upstreams may not form a cycle", code: "UpstreamCycle")
        }
    }

    private init(upstreamsByName: [String: [String]]) {
        self.upstreamsByName = upstreamsByName
    }
}
