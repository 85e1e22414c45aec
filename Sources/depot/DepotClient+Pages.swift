import ArgumentParser
import Foundation

/// Paging options of every listing command: by default every page is fetched, as the AWS CLI does.
struct PagingOptions: ParsableArguments {
    @Option(
        name: .customLong("max-results"),
        help: "List at most this many items, then print the token that continues the listing.")
    var maxResults: Int?
    @Option(name: .customLong("next-token"), help: "Continue a listing where --max-results stopped.")
    var nextToken: String?

    func validate() throws {
        if let maxResults, maxResults < 1 { throw ValidationError("--max-results must be at least 1") }
    }
}

extension DepotClient {
    /// The server's largest page: fewer round trips when following every page.
    static let pageSize = 1000

    /// GETs a listing, following `nextToken` from page to page, and returns the first page's object with every
    /// item under `key`. With `--max-results`, stops after that many items and keeps the token that continues.
    func list(_ path: String, key: String, query: [String: String?] = [:], paging: PagingOptions) async throws -> [String: Any] {
        var items: [Any] = []
        var token = paging.nextToken
        var result: [String: Any]?
        repeat {
            let wanted = paging.maxResults.map { min($0 - items.count, Self.pageSize) } ?? Self.pageSize
            var pageQuery = query
            pageQuery["maxResults"] = String(wanted)
            pageQuery["nextToken"] = token
            let page = try await call("GET", path, query: pageQuery) as? [String: Any] ?? [:]
            if result == nil { result = page }
            items += page[key] as? [Any] ?? []
            token = page["nextToken"] as? String
        } while token != nil && items.count < (paging.maxResults ?? .max)
        var listing = result ?? [:]
        listing[key] = items
        listing["nextToken"] = token
        return listing
    }
}

extension Output {
    /// A listing as a table (or JSON); when it stopped early, the token that continues it goes to standard error.
    static func emit(listing: [String: Any], json asJSON: Bool, list key: String, columns: [String]) {
        emit(listing, json: asJSON, list: key, columns: columns)
        if !asJSON, let token = listing["nextToken"] as? String {
            FileHandle.standardError.write(Data("more items: continue with --next-token \(token)\n".utf8))
        }
    }
}
