import DepotCore
import Foundation
import Logging

/// Just enough of the metadata port for the HTTP edge: domains, repositories and tokens in memory.
/// Package methods are not needed here and fail loudly.
final class InMemoryStore: MetadataStore, @unchecked Sendable {
    private let lock = NSLock()
    private var domains: [Domain] = []
    private var repositories: [Repository] = []
    private var tokens: [String: TokenRecord] = [:]
    private var nextID: Int64 = 1

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func createDomain(name: String, at date: Date) async throws -> Domain {
        try locked {
            guard !domains.contains(where: { $0.name == name }) else { throw DepotError.conflict("exists", code: "DomainExists") }
            let domain = Domain(id: nextID, name: name, createdAt: date)
            nextID += 1
            domains.append(domain)
            return domain
        }
    }

    func domain(named name: String) async throws -> Domain? { locked { domains.first { $0.name == name } } }
    func listDomains(names: [String]?, page: PageRequest) async throws -> Page<Domain> {
        locked { Self.page(domains.filter { names?.contains($0.name) ?? true }, page, listing: "domains") { $0.name } }
    }
    func deleteDomain(id: Int64) async throws -> [String] { locked { domains.removeAll { $0.id == id } }; return [] }

    func createRepository(_ repository: Repository) async throws -> Repository {
        locked {
            var created = repository
            created.id = nextID
            nextID += 1
            repositories.append(created)
            return created
        }
    }

    func repository(domainID: Int64, name: String) async throws -> Repository? {
        locked { repositories.first { $0.domainID == domainID && $0.name == name } }
    }

    func listRepositories(domainID: Int64) async throws -> [Repository] {
        locked { repositories.filter { $0.domainID == domainID }.sorted { $0.name < $1.name } }
    }

    func listRepositories(_ filter: RepositoryFilter, page: PageRequest) async throws -> Page<ListedRepository> {
        locked {
            let domainNames = Dictionary(uniqueKeysWithValues: domains.map { ($0.id, $0.name) })
            let listed = repositories.compactMap { repository -> ListedRepository? in
                guard let domain = domainNames[repository.domainID], filter.domains?.contains(domain) ?? true,
                    filter.names?.contains(repository.name) ?? true, repository.name.hasPrefix(filter.prefix ?? "")
                else { return nil }
                return ListedRepository(domain: domain, repository: repository)
            }
            // One key of both names (a NUL cannot occur in either) orders as the store's (domain, name) does.
            return Self.page(listed, page, listing: "repositories") { "\($0.domain)\u{0}\($0.repository.name)" }
        }
    }

    /// A page of `items` in the order of `key` (unique), after the cursor: what the SQLite store answers.
    private static func page<T: Sendable>(_ items: [T], _ page: PageRequest, listing: String, key: (T) -> String) -> Page<T> {
        let after = page.after.flatMap { try? $0.keys(of: listing, count: 1)[0] }
        let rows = items.sorted { key($0) < key($1) }.filter { item in after.map { key(item) > $0 } ?? true }
        return Page(fetched: Array(rows.prefix(page.fetchLimit)), for: page) { PageCursor(listing: listing, keys: [key($0)]) }
    }

    func updateRepository(_ repository: Repository) async throws -> Repository {
        locked {
            repositories.removeAll { $0.id == repository.id }
            repositories.append(repository)
            return repository
        }
    }

    func deleteRepository(id: Int64) async throws -> [Asset] {
        locked { repositories.removeAll { $0.id == id } }
        return []
    }

    func insertToken(_ record: TokenRecord, secretHash: String) async throws { locked { tokens[secretHash] = record } }
    func token(secretHash: String) async throws -> TokenRecord? { locked { tokens[secretHash] } }
    func token(id: String) async throws -> TokenRecord? { locked { tokens.values.first { $0.id == id } } }
    func listTokens(domain: String?, page: PageRequest) async throws -> Page<TokenRecord> {
        locked { Self.page(tokens.values.filter { $0.scope.domain == domain }, page, listing: "tokens") { $0.id } }
    }

    func revokeToken(id: String, domain: String?, at date: Date) async throws -> Bool {
        locked {
            guard let (hash, record) = tokens.first(where: { $0.value.id == id && $0.value.scope.domain == domain }),
                record.revokedAt == nil
            else { return false }
            tokens[hash]?.revokedAt = date
            return true
        }
    }

    private func unsupported() -> DepotError { DepotError(.internalError, code: "Unsupported", "not part of this fake") }

    func package(repositoryID: Int64, key: PackageKey) async throws -> Package? { throw unsupported() }
    func listPackages(repositoryID: Int64, filter: PackageFilter, page: PageRequest) async throws -> Page<PackageSummary> {
        throw unsupported()
    }
    func searchPackages(repositoryID: Int64, filter: PackageFilter, offset: Int, limit: Int) async throws -> PackageSearchResults {
        throw unsupported()
    }
    func versions(packageID: Int64) async throws -> [PackageVersion] { throw unsupported() }
    func listVersions(packageID: Int64, status: VersionStatus?, origin: OriginType?, page: PageRequest) async throws -> Page<PackageVersion> {
        throw unsupported()
    }
    func version(packageID: Int64, version: String) async throws -> PackageVersion? { throw unsupported() }
    func assets(versionID: Int64) async throws -> [Asset] { throw unsupported() }
    func assets(packageID: Int64) async throws -> [Int64: [Asset]] { throw unsupported() }
    func tags(packageID: Int64) async throws -> [String: String] { throw unsupported() }
    func isBlobReferenced(sha256: String) async throws -> Bool { throw unsupported() }
    func properties(versionID: Int64) async throws -> [VersionProperty] { throw unsupported() }
    func packages(repositoryID: Int64, withProperty property: VersionProperty, limit: Int) async throws -> [Package] {
        throw unsupported()
    }
    func ensurePackage(repositoryID: Int64, key: PackageKey, controls: OriginControls) async throws -> Package { throw unsupported() }
    func publish(repositoryID: Int64, _ new: NewVersion, defaultControls: OriginControls) async throws -> PublishOutcome {
        throw unsupported()
    }
    func setVersionStatus(packageID: Int64, version: String, status: VersionStatus) async throws { throw unsupported() }
    func updateVersionMetadata(packageID: Int64, version: String, _ transform: @escaping @Sendable (Data) throws -> Data) async throws -> Data {
        throw unsupported()
    }
    func deleteVersion(packageID: Int64, version: String) async throws -> [Asset] { throw unsupported() }
    func disposeVersion(packageID: Int64, version: String) async throws -> [Asset] { throw unsupported() }
    func deletePackage(packageID: Int64) async throws -> [Asset] { throw unsupported() }
    func setTag(packageID: Int64, tag: String, version: String) async throws { throw unsupported() }
    func removeTag(packageID: Int64, tag: String) async throws { throw unsupported() }
    func setOriginControls(packageID: Int64, _ controls: OriginControls) async throws { throw unsupported() }
    func resourceTags(of resource: TaggedResource) async throws -> [ResourceTag] { throw unsupported() }
    func tagResource(_ resource: TaggedResource, with tags: [ResourceTag]) async throws { throw unsupported() }
    func untagResource(_ resource: TaggedResource, keys: [String]) async throws { throw unsupported() }
}

/// A logger that writes nothing, so test output stays readable.
let quietLogger = Logger(label: "depot.tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// A blob store that holds nothing: these tests never write packages.
struct NoBlobs: BlobStore {
    func makeWriter() throws -> any BlobWriter { throw DepotError.badRequest("no blobs in this test") }
    func contains(sha256: String) -> Bool { false }
    func openReader(sha256: String) throws -> (any BlobReader)? { nil }
    func delete(sha256: String) throws {}
    func digests(modifiedBefore date: Date) throws -> [String] { [] }
}
