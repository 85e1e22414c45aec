import Testing

@testable import DepotSwiftRegistry

@Suite("Release versions (SemVer 2.0.0)")
struct SwiftReleaseVersionTests {
    @Test("Valid versions keep their spelling", arguments: [
        "0.0.0", "1.0.0", "10.20.30", "1.1.2-prerelease+meta", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
        "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD", "1.0.0-alpha-a.b-c",
        "1.0.0+001",
    ])
    func valid(_ text: String) throws {
        let version = try #require(SwiftReleaseVersion(text))
        #expect(version.description == text)
    }

    @Test("Invalid versions", arguments: [
        "", "1", "1.2", "1.2.3.4", "01.1.1", "1.01.1", "1.1.01", "v1.2.3", "1.2.3-", "1.2.3+", "1.2.3-01", "1.2.3-a..b",
        "1.2.3-a+b+c", "1.2.3 ", " 1.2.3", "1.2.3-ä", "1.2.3/..", "-1.2.3", "1.2.-3", "99999999999999999999.0.0",
        String(repeating: "1", count: 300) + ".0.0",
    ])
    func invalid(_ text: String) {
        #expect(SwiftReleaseVersion(text) == nil)
    }

    @Test("Precedence as SemVer's section 11 lists it")
    func precedence() throws {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
            "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0",
        ].map { SwiftReleaseVersion($0)! }
        #expect(ordered.shuffled().sorted() == ordered)
        for (older, newer) in zip(ordered, ordered.dropFirst()) {
            #expect(older < newer)
            #expect(!(newer < older))
        }
    }

    @Test("Build metadata does not change precedence, but two spellings stay two versions")
    func buildMetadata() throws {
        let a = try #require(SwiftReleaseVersion("1.0.0+a"))
        let b = try #require(SwiftReleaseVersion("1.0.0+b"))
        #expect(SwiftReleaseVersion.precedence(a, b) == nil)
        #expect(a != b)
        #expect(a < b || b < a)
        #expect(SwiftReleaseVersion("1.0.0-99999999999999999999999")! < SwiftReleaseVersion("1.0.0-100000000000000000000000")!)
    }
}
