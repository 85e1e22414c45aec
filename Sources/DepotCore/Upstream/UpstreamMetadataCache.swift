import Foundation
import Logging
import Synchronization

/// Upstream metadata documents: fresh for a TTL, then revalidated with `If-None-Match`/`If-Modified-Since`;
/// served stale when the upstream fails; 404s remembered briefly; one upstream request per key at a time.
public struct UpstreamMetadataCache: Sendable {
    /// What a lookup found.
    public enum Lookup: Sendable {
        case found(CachedUpstreamDocument)
        case notFound
    }

    let store: any UpstreamDocumentStore
    let http: any UpstreamHTTPClient
    let metrics: any UpstreamMetrics
    let ttl: TimeInterval
    let notFoundTTL: TimeInterval
    let maxDocumentSize: Int
    let logger: Logger
    let now: @Sendable () -> Date
    private let flights = SingleFlight<Lookup>()
    /// Recently used documents, so a hot packument is not read back from SQLite on every request; bounded by
    /// bytes because one popular packument can weigh tens of MB.
    private let memory: CostBoundedCache<CachedUpstreamDocument>

    public init(
        store: any UpstreamDocumentStore, http: any UpstreamHTTPClient, metrics: any UpstreamMetrics, ttl: TimeInterval,
        maxDocumentSize: Int = 256 << 20, memoryBudget: Int = 64 << 20, logger: Logger,
        now: @Sendable @escaping () -> Date = { Date() }
    ) {
        self.memory = CostBoundedCache(budget: memoryBudget)
        self.store = store
        self.http = http
        self.metrics = metrics
        self.ttl = ttl
        // A package published upstream a minute ago should not stay invisible for a whole TTL.
        self.notFoundTTL = min(ttl, 60)
        self.maxDocumentSize = maxDocumentSize
        self.logger = logger
        self.now = now
    }

    /// The document for `cacheKey`, fetched from `url` when missing or expired. `validate` must accept a
    /// body before it is cached (malformed upstream answers are a 502, never stored). Redirects may lead to
    /// `hosts` only (by default `url`'s own host).
    public func document(
        connection: String, cacheKey: String, url: URL, accept: String, hosts: UpstreamHosts? = nil,
        validate: @Sendable @escaping (Data) throws -> Void
    ) async throws -> Lookup {
        let cached = try await stored(cacheKey)
        if let cached, isFresh(cached) {
            metrics.metadataCache(connection: connection, result: "hit")
            return cached.status == 200 ? .found(cached) : .notFound
        }
        return try await flights.run(cacheKey) {
            try await refresh(
                connection: connection, cacheKey: cacheKey, url: url, accept: accept, hosts: hosts ?? UpstreamHosts(only: url), cached: cached,
                validate: validate)
        }
    }

    /// The cached document whatever its age, without contacting the upstream.
    public func cachedDocument(cacheKey: String) async throws -> CachedUpstreamDocument? {
        try await stored(cacheKey)
    }

    private func stored(_ cacheKey: String) async throws -> CachedUpstreamDocument? {
        if let hit = memory.value(forKey: cacheKey) { return hit }
        let document = try await store.upstreamDocument(cacheKey: cacheKey)
        if let document { remember(document) }
        return document
    }

    private func save(_ document: CachedUpstreamDocument) async throws {
        try await store.saveUpstreamDocument(document)
        remember(document)
    }

    private func remember(_ document: CachedUpstreamDocument) {
        memory.set(document, forKey: document.cacheKey, cost: document.body.count + document.cacheKey.utf8.count)
    }

    private func isFresh(_ document: CachedUpstreamDocument) -> Bool {
        now().timeIntervalSince(document.fetchedAt) < (document.status == 200 ? ttl : notFoundTTL)
    }

    private func refresh(
        connection: String, cacheKey: String, url: URL, accept: String, hosts: UpstreamHosts, cached: CachedUpstreamDocument?,
        validate: @Sendable (Data) throws -> Void
    ) async throws -> Lookup {
        var headers = ["Accept": accept, "Accept-Encoding": "gzip"]
        if let cached, cached.status == 200 {
            if let etag = cached.etag { headers["If-None-Match"] = etag }
            if let lastModified = cached.lastModified { headers["If-Modified-Since"] = lastModified }
        }
        let response: UpstreamResponse
        do {
            response = try await http.get(url, headers: headers, maxBytes: maxDocumentSize, hosts: hosts)
        } catch let error as DepotError {
            metrics.upstreamRequest(connection: connection, kind: "metadata", outcome: error.kind == .gatewayTimeout ? "timeout" : "error")
            return try serveStale(cached, connection: connection, because: error)
        }
        metrics.upstreamRequest(connection: connection, kind: "metadata", outcome: String(response.status))
        switch response.status {
        case 304 where cached?.status == 200:
            var renewed = cached!
            renewed.fetchedAt = now()
            try await save(renewed)
            metrics.metadataCache(connection: connection, result: "revalidated")
            return .found(renewed)
        case 200:
            do {
                try validate(response.body)
            } catch {
                let failure = DepotError.badGateway(
                    "\(connection) sent a malformed metadata document for \(url.path): \(error)", code: "UpstreamInvalid")
                return try serveStale(cached, connection: connection, because: failure)
            }
            let document = CachedUpstreamDocument(
                cacheKey: cacheKey, status: 200, body: response.body, etag: response.headers["etag"],
                lastModified: response.headers["last-modified"], fetchedAt: now())
            try await save(document)
            metrics.metadataCache(connection: connection, result: "miss")
            metrics.bytesFetched(connection: connection, count: Int64(response.body.count))
            return .found(document)
        case 404, 410:
            try await save(
                CachedUpstreamDocument(cacheKey: cacheKey, status: 404, body: Data(), etag: nil, lastModified: nil, fetchedAt: now()))
            metrics.metadataCache(connection: connection, result: "miss")
            return .notFound
        default:
            let failure = DepotError.badGateway("\(connection) answered \(response.status) for \(url.path)")
            return try serveStale(cached, connection: connection, because: failure)
        }
    }

    /// A failing upstream must not break builds that worked before: the last good copy is served.
    private func serveStale(_ cached: CachedUpstreamDocument?, connection: String, because error: DepotError) throws -> Lookup {
        guard let cached else { throw error }
        metrics.metadataCache(connection: connection, result: "stale")
        logger.warning(
            "serving stale upstream metadata", metadata: ["connection": "\(connection)", "key": "\(cached.cacheKey)", "error": "\(error.message)"])
        return cached.status == 200 ? .found(cached) : .notFound
    }
}
