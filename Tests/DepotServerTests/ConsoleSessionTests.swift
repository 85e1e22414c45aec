import Foundation
import Testing

@testable import DepotServer

@Suite("Console sessions")
struct ConsoleSessionTests {
    @Test("a session ends with its token's expiry, capped at 12 hours")
    func expiry() async {
        let store = ConsoleSessionStore()
        let soon = Date().addingTimeInterval(60)
        let short = await store.create(secret: "dpt_a", tokenExpiresAt: soon)
        #expect(short.expiresAt == soon)
        let forever = await store.create(secret: "dpt_b", tokenExpiresAt: nil)
        #expect(forever.expiresAt <= Date().addingTimeInterval(ConsoleSessionStore.maximumLifetime + 1))
        #expect(short.id != forever.id && short.csrfToken != short.id && short.id.count == 64)
    }

    @Test("expired sessions are gone")
    func expired() async {
        let clock = Clock()
        let store = ConsoleSessionStore(now: { clock.now })
        let session = await store.create(secret: "dpt_a", tokenExpiresAt: clock.now.addingTimeInterval(60))
        #expect(await store.session(id: session.id) != nil)
        clock.now = clock.now.addingTimeInterval(61)
        #expect(await store.session(id: session.id) == nil)
    }

    @Test("the table is bounded: past the limit the session ending first goes")
    func bounded() async {
        let store = ConsoleSessionStore(limit: 3)
        var ids: [String] = []
        for index in 0..<5 {
            ids.append(await store.create(secret: "dpt_\(index)", tokenExpiresAt: Date().addingTimeInterval(Double(100 + index))).id)
        }
        #expect(await store.count == 3)
        #expect(await store.session(id: ids[0]) == nil)
        #expect(await store.session(id: ids[4]) != nil)
    }

    @Test("CSRF comparison")
    func compare() {
        #expect(ConsoleSessionStore.constantTimeEquals("abc", "abc"))
        #expect(!ConsoleSessionStore.constantTimeEquals("abc", "abd"))
        #expect(!ConsoleSessionStore.constantTimeEquals("abc", "abcd"))
    }

    @Test("sign-in only returns to console paths")
    func safeNext() {
        #expect(ConsoleController.safeNext("/ui/domains/acme") == "/ui/domains/acme")
        for bad in ["//evil.example/", "https://evil.example/", "/uix/../api", "/ui/../api/v1/domains", "/ui\\evil", "javascript:alert(1)", "/ui/\r\nx"] {
            #expect(ConsoleController.safeNext(bad) == "/ui/", "\(bad)")
        }
    }

    @Test("a sign-in link works once, and not after five minutes")
    func links() async {
        let clock = Clock()
        let store = ConsoleSessionStore(now: { clock.now })
        let link = await store.createLink(secret: "dpt_a")
        #expect(link.expiresAt == clock.now.addingTimeInterval(ConsoleSessionStore.linkLifetime))
        #expect(ConsoleController.isLinkCode(link.code))
        #expect(await store.redeemLink(link.code) == "dpt_a")
        #expect(await store.redeemLink(link.code) == nil)
        let late = await store.createLink(secret: "dpt_b")
        clock.now = clock.now.addingTimeInterval(ConsoleSessionStore.linkLifetime + 1)
        #expect(await store.redeemLink(late.code) == nil)
        #expect(await store.redeemLink("") == nil)
    }

    final class Clock: @unchecked Sendable {
        var now = Date()
    }
}
