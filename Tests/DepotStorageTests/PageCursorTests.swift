import DepotCore
import Foundation
import Testing

@Suite("Page cursors and nextToken")
struct PageCursorTests {
    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("a cursor survives its token, which is opaque base64url")
    func roundTrip() throws {
        let cursor = PageCursor(listing: "packages", keys: ["babel", "core/with+odd=chars?&", "npm", "é ☃"])
        let token = cursor.token
        let base64URL = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(token.unicodeScalars.allSatisfy { base64URL.contains($0) })
        #expect(try PageCursor(token: token) == cursor)
        #expect(!token.contains("babel"))
    }

    @Test("times and row ids as keys read back exactly")
    func numericKeys() throws {
        for time in [1_712_345_678.123456, 0.1, 1e-7, 978_307_200, Date().timeIntervalSince1970] {
            #expect(try PageCursor.number(PageCursor.key(time)) == time)
        }
        #expect(try PageCursor.integer("9223372036854775807") == Int64.max)
        #expect(throws: PageCursor.invalid) { try PageCursor.number("soon") }
        #expect(throws: PageCursor.invalid) { try PageCursor.number("nan") }
        #expect(throws: PageCursor.invalid) { try PageCursor.integer("1.5") }
    }

    @Test(
        "anything but a token this server made is 400 InvalidNextToken",
        arguments: [
            "", "!!!!", "abc", "a b", "eyJ=", String(repeating: "A", count: PageCursor.maximumTokenLength + 4),
            base64URL("not json"), base64URL("{}"), base64URL(#"{"l":"packages","k":[]}"#), base64URL(#"{"l":"","k":["a"]}"#),
            base64URL(#"{"l":"packages","k":[1,2]}"#), base64URL(#"["packages"]"#),
        ])
    func garbage(token: String) {
        #expect(throws: PageCursor.invalid) { try PageCursor(token: token) }
        #expect(PageCursor.invalid.kind == .badRequest && PageCursor.invalid.code == "InvalidNextToken")
    }

    @Test("a cursor of another listing, or with another number of keys, is refused by the listing")
    func wrongListing() throws {
        let cursor = PageCursor(listing: "tokens", keys: ["1700000000.0", "abc"])
        #expect(try cursor.keys(of: "tokens", count: 2) == ["1700000000.0", "abc"])
        #expect(throws: PageCursor.invalid) { try cursor.keys(of: "packages", count: 2) }
        #expect(throws: PageCursor.invalid) { try cursor.keys(of: "tokens", count: 3) }
    }

    @Test("a page made of limit + 1 rows keeps limit and points after the last one kept; fewer rows end the listing")
    func pageFromFetchedRows() async throws {
        let request = PageRequest(limit: 3)
        #expect(request.fetchLimit == 4)
        let full = Page(fetched: ["a", "b", "c", "d"], for: request) { PageCursor(listing: "x", keys: [$0]) }
        #expect(full.items == ["a", "b", "c"])
        #expect(full.next == PageCursor(listing: "x", keys: ["c"]))
        let last = Page(fetched: ["a", "b", "c"], for: request) { PageCursor(listing: "x", keys: [$0]) }
        #expect(last.items == ["a", "b", "c"] && last.next == nil)
        #expect(PageRequest(limit: 0).limit == 1 && PageRequest(limit: 5000).limit == PageRequest.maximumLimit)

        let letters = (0..<26).map { String(UnicodeScalar(UInt8(97 + $0))) }
        let all = try await Page.all(pageSize: 4) { request in
            let after = request.after?.keys.first
            let rows = Array(letters.filter { after == nil || $0 > after! }.prefix(request.fetchLimit))
            return Page(fetched: rows, for: request) { PageCursor(listing: "x", keys: [$0]) }
        }
        #expect(all == letters)
    }
}
