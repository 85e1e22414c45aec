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
    func listDomains() async throws -> [Domain] { locked { domains.sorted { $0.name < $1.name } } }
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
    func listTokens(domain: String?) async throws -> [TokenRecord] { locked { tokens.values.filter { $0.scope.domain == domain } } }

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
    func listPackages(repositoryID: Int64, filter: PackageFilter) async throws -> [PackageSummary] { throw unsupported() }
    func versions(packageID: Int64) async throws -> [PackageVersion] { throw unsupported() }
    func version(packageID: Int64, version: String) async throws -> PackageVersion? { throw unsupported() }
    func assets(versionID: Int64) async throws -> [Asset] { throw unsupported() }
    func assets(packageID: Int64) async throws -> [Int64: [Asset]] { throw unsupported() }
    func tags(packageID: Int64) async throws -> [String: String] { throw unsupported() }
    func isBlobReferenced(sha256: String) async throws -> Bool { throw unsupported() }
    func ensurePackage(repositoryID: Int64, key: PackageKey, controls: OriginControls) async throws -> Package { throw unsupported() }
    func publish(repositoryID: Int64, _ new: NewVersion, defaultControls: OriginControls) async throws -> PublishOutcome {
        throw unsupported()
    }
    func setVersionStatus(packageID: Int64, version: String, status: VersionStatus) async throws { throw unsupported() }
    func updateVersionMetadata(packageID: Int64, version: String, metadata: Data) async throws { throw unsupported() }
    func deleteVersion(packageID: Int64, version: String) async throws -> [Asset] { throw unsupported() }
    func disposeVersion(packageID: Int64, version: String) async throws -> [Asset] { throw unsupported() }
    func deletePackage(packageID: Int64) async throws -> [Asset] { throw unsupported() }
    func setTag(packageID: Int64, tag: String, version: String) async throws { throw unsupported() }
    func removeTag(packageID: Int64, tag: String) async throws { throw unsupported() }
    func setOriginControls(packageID: Int64, _ controls: OriginControls) async throws { throw unsupported() }
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
