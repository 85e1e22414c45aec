import DepotHTTP
import Testing

@Suite("EntityTag")
struct EntityTagTests {
    @Test("If-None-Match: the tag itself, in a list, weak or *, matches; another tag or no header does not")
    func matches() {
        let etag = "\"abc\""
        #expect(EntityTag.matches("\"abc\"", etag))
        #expect(EntityTag.matches("\"x\", \"abc\"", etag))
        #expect(EntityTag.matches("W/\"abc\"", etag))
        #expect(EntityTag.matches("*", etag))
        #expect(!EntityTag.matches("\"abd\"", etag))
        #expect(!EntityTag.matches("abc", etag))
        #expect(!EntityTag.matches("", etag))
        #expect(!EntityTag.matches(nil, etag))
    }
}
