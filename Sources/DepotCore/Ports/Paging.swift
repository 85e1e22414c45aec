import Foundation

/// One page of a listing, as CodeArtifact pages (`maxResults`, `nextToken`): at most `limit` items, starting after
/// `after`. Stores answer it with keyset pagination (`WHERE (sort key) > (cursor) ORDER BY sort key LIMIT n + 1`),
/// so a page deep into a large listing costs what the first one does.
public struct PageRequest: Sendable, Equatable {
    /// The largest page a listing returns (CodeArtifact's limit).
    public static let maximumLimit = 1000

    public var limit: Int
    public var after: PageCursor?

    /// `limit` is clamped to 1...`maximumLimit`; callers that take it from a request validate it first.
    public init(limit: Int, after: PageCursor? = nil) {
        self.limit = min(max(limit, 1), Self.maximumLimit)
        self.after = after
    }

    /// What a store fetches to learn whether another page exists: one row more than the page holds.
    public var fetchLimit: Int { limit + 1 }
}

/// A page of items and, when more follow, where the next page starts.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Nil on the last page.
    public var next: PageCursor?

    public init(items: [Item], next: PageCursor?) {
        self.items = items
        self.next = next
    }

    /// The page made of rows fetched with `request.fetchLimit`: an extra row only says another page exists, and the
    /// cursor is the sort key of the last item kept.
    public init(fetched rows: [Item], for request: PageRequest, cursor: (Item) -> PageCursor) {
        if rows.count > request.limit {
            let kept = Array(rows.prefix(request.limit))
            self.init(items: kept, next: kept.last.map(cursor))
        } else {
            self.init(items: rows, next: nil)
        }
    }

    public func map<T: Sendable>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), next: next)
    }

    /// Every item, page after page: for sweeps and for documents that are whole by protocol (a PyPI project list),
    /// never for a management listing, which hands its pages to the client.
    public static func all(pageSize: Int = PageRequest.maximumLimit, _ fetch: (PageRequest) async throws -> Page<Item>) async throws -> [Item] {
        var items: [Item] = []
        var request = PageRequest(limit: pageSize)
        while true {
            let page = try await fetch(request)
            items += page.items
            guard let next = page.next else { return items }
            request.after = next
        }
    }
}

/// A keyset position: the sort-key values of the last item of a page, tagged with the listing they belong to.
/// Clients see it only as an opaque `nextToken` (base64url of a small JSON document) and hand it back unchanged.
public struct PageCursor: Sendable, Equatable, Codable {
    /// Which listing made it (`packages`, `tokens`, ...): a token from one listing is refused by another.
    public var listing: String
    public var keys: [String]

    public init(listing: String, keys: [String]) {
        self.listing = listing
        self.keys = keys
    }

    private enum CodingKeys: String, CodingKey {
        case listing = "l"
        case keys = "k"
    }

    /// Longer tokens are refused before they are decoded (a cursor holds a few names and numbers).
    public static let maximumTokenLength = 4096

    /// The opaque form handed to clients as `nextToken`.
    public var token: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding a struct of strings cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes a `nextToken`; anything that is not one this server made is a 400 `InvalidNextToken`.
    public init(token: String) throws {
        guard !token.isEmpty, token.utf8.count <= Self.maximumTokenLength,
            token.utf8.allSatisfy({ $0.isBase64URLCharacter })
        else { throw Self.invalid }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let cursor = try? JSONDecoder().decode(PageCursor.self, from: data),
            !cursor.listing.isEmpty, !cursor.keys.isEmpty
        else { throw Self.invalid }
        self = cursor
    }

    /// The keys of a cursor made by `listing` with `count` keys; a 400 `InvalidNextToken` otherwise.
    public func keys(of listing: String, count: Int) throws -> [String] {
        guard self.listing == listing, keys.count == count else { throw Self.invalid }
        return keys
    }

    /// A numeric key (a time, a row id), written by `key(_:)`; a 400 `InvalidNextToken` when it is not one.
    public static func number(_ key: String) throws -> Double {
        guard let value = Double(key), value.isFinite else { throw invalid }
        return value
    }

    public static func integer(_ key: String) throws -> Int64 {
        guard let value = Int64(key) else { throw invalid }
        return value
    }

    /// A time as a key: the shortest text that reads back as the same Double, so keyset comparisons are exact.
    public static func key(_ value: Double) -> String { "\(value)" }

    public static let invalid = DepotError.badRequest("the nextToken is not one this listing returned", code: "InvalidNextToken")
}

extension UInt8 {
    fileprivate var isBase64URLCharacter: Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "-") || self == UInt8(ascii: "_")
    }
}
