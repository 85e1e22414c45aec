import DepotCore

// Whole listings for tests that check what a listing holds, walking the pages the stores and services hand out.

extension MetadataStore {
    func listDomains() async throws -> [Domain] { try await Page.all { try await listDomains(names: nil, page: $0) } }

    func listTokens(domain: String?) async throws -> [TokenRecord] {
        try await Page.all { try await listTokens(domain: domain, page: $0) }
    }
}

extension RepositoryService {
    func listDomains() async throws -> [Domain] { try await Page.all { try await listDomains(page: $0) } }
}

extension AccessService {
    func listTokens(domain: String) async throws -> [TokenRecord] {
        try await Page.all { try await listTokens(domain: domain, page: $0) }
    }
}

extension UpstreamService {
    func cachedDocuments(for repository: Repository) async throws -> [CachedUpstreamDocument] {
        try await Page.all { try await cachedDocuments(for: repository, page: $0) }
    }
}
