import Testing

import DepotCore

@Suite("SemanticVersion (SemVer 2.0.0): npm, Cargo and Swift registry versions")
struct SemanticVersionTests {
    @Test("Valid versions keep their spelling", arguments: [
        "0.0.0", "1.0.0", "10.20.30", "1.1.2-prerelease+meta", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
        "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD", "1.0.0-alpha-a.b-c",
        "1.0.0+001",
    ])
    func valid(_ text: String) throws {
        let version = try #require(SemanticVersion(text))
        #expect(version.description == text)
    }

    @Test("Invalid versions", arguments: [
        "", "1", "1.2", "1.2.3.4", "01.1.1", "1.01.1", "1.1.01", "v1.2.3", "1.2.3-", "1.2.3+", "1.2.3-01", "1.2.3-a..b",
        "1.2.3-a+b+c", "1.2.3 ", " 1.2.3", "1.2.3-ä", "1.2.3/..", "-1.2.3", "1.2.-3", "99999999999999999999.0.0",
        String(repeating: "1", count: 300) + ".0.0",
    ])
    func invalid(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("Precedence as SemVer's section 11 lists it")
    func precedence() throws {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
            "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0",
        ].map { SemanticVersion($0)! }
        #expect(ordered.shuffled().sorted() == ordered)
        for (older, newer) in zip(ordered, ordered.dropFirst()) {
            #expect(older < newer)
            #expect(!(newer < older))
        }
    }

    @Test("Build metadata does not change precedence, but two spellings stay two versions")
    func buildMetadata() throws {
        let a = try #require(SemanticVersion("1.0.0+a"))
        let b = try #require(SemanticVersion("1.0.0+b"))
        #expect(SemanticVersion.precedence(a, b) == nil)
        #expect(a != b)
        #expect(a < b || b < a)
        #expect(SemanticVersion("1.0.0-99999999999999999999999")! < SemanticVersion("1.0.0-100000000000000000000000")!)
    }

    @Test("parses core, prerelease and build; identity drops the build")
    func parsesParts() throws {
        let v = try #require(SemanticVersion("1.22.333-alpha.1.x-y+build.001.sha-5114f85"))
        #expect((v.major, v.minor, v.patch) == (1, 22, 333))
        #expect(v.prerelease == ["alpha", "1", "x-y"])
        #expect(v.build == ["build", "001", "sha-5114f85"])
        #expect(v.isPrerelease)
        #expect(v.identity == "1.22.333-alpha.1.x-y")
        let plain = try #require(SemanticVersion("0.0.0"))
        #expect(plain.prerelease.isEmpty && plain.build.isEmpty && !plain.isPrerelease && plain.identity == "0.0.0")
        #expect(try #require(SemanticVersion("1.0.0-x-y-z.--")).prerelease == ["x-y-z", "--"])
    }

    @Test("numeric identifiers sort before alphanumeric ones and numerically; a hyphenated one is alphanumeric")
    func identifiers() throws {
        #expect(try #require(SemanticVersion("1.0.0-999")) < #require(SemanticVersion("1.0.0-a")))
        #expect(try #require(SemanticVersion("1.0.0-2")) < #require(SemanticVersion("1.0.0-10")))
        #expect(try #require(SemanticVersion("1.0.0-B")) < #require(SemanticVersion("1.0.0-a")))
        #expect(try #require(SemanticVersion("1.0.0-1")) < #require(SemanticVersion("1.0.0--1")))
        #expect(try #require(SemanticVersion("1.0.0")) < #require(SemanticVersion("1.0.1-alpha")))
        #expect(!(try #require(SemanticVersion("1.0.0")) < #require(SemanticVersion("1.0.0"))))
    }
}
