import DepotCore
import Hummingbird

/// Paging of every management listing, as CodeArtifact pages: `?maxResults=` (1...1000, default 50) and
/// `?nextToken=` in, the page's items under the listing's usual key and `nextToken` (when more follow) out.
enum APIPaging {
    static let defaultMaxResults = 50

    /// The page a request asks for; a 400 `InvalidParameter` for a bad `maxResults`, `InvalidNextToken` for a token
    /// this server did not hand out.
    static func page(of request: Request) throws -> PageRequest {
        let query = request.uri.queryParameters
        var limit = defaultMaxResults
        if let raw = query["maxResults"] {
            guard let value = Int(String(raw)), (1...PageRequest.maximumLimit).contains(value) else {
                throw DepotError.badRequest(
                    "maxResults must be a whole number from 1 to \(PageRequest.maximumLimit)", code: "InvalidParameter")
            }
            limit = value
        }
        let token = query["nextToken"].map(String.init) ?? ""
        return PageRequest(limit: limit, after: token.isEmpty ? nil : try PageCursor(token: token))
    }

    /// `{"<key>": [items], "nextToken": "..."}`, the token left out on the last page.
    static func response<Item: Encodable>(_ key: String, _ items: [Item], next: PageCursor?) throws -> Response {
        try APIJSON.response(PageBody(key: key, items: items, nextToken: next?.token))
    }
}

/// A listing page: the items under the listing's own key (`packages`, `tokens`, ...) and the next page's token.
struct PageBody<Item: Encodable>: Encodable {
    var key: String
    var items: [Item]
    var nextToken: String?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(stringValue: key))
        try container.encodeIfPresent(nextToken, forKey: Key(stringValue: "nextToken"))
    }
}
