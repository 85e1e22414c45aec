import Testing

@testable import DepotNPM

@Suite("SemanticVersion")
struct SemanticVersionTests {
    @Test("parses core, prerelease and build")
    func parsesParts() throws {
        let v = try #require(SemanticVersion("1.22.333-alpha.1.x-y+build.001.sha-5114f85"))
        #expect(v.major == 1)
        #expect(v.minor == 22)
        #expect(v.patch == 333)
        #expect(v.prerelease == ["alpha", "1", "x-y"])
        #expect(v.build == "build.001.sha-5114f85")
        #expect(v.isPrerelease)
        #expect(v.description == "1.22.333-alpha.1.x-y+build.001.sha-5114f85")

        let plain = try #require(SemanticVersion("0.0.0"))
        #expect(plain.prerelease.isEmpty)
        #expect(plain.build == nil)
        #expect(!plain.isPrerelease)

        let buildOnly = try #require(SemanticVersion("1.0.0+20130313144700"))
        #expect(!buildOnly.isPrerelease)
        #expect(buildOnly.build == "20130313144700")

        let hyphens = try #require(SemanticVersion("1.0.0-x-y-z.--"))
        #expect(hyphens.prerelease == ["x-y-z", "--"])
    }

    @Test(
        "accepts valid versions",
        arguments: [
            "0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid", "1.0.0-alpha",
            "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1", "1.0.0-alpha0.valid",
            "1.0.0-alpha.0valid", "1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT",
            "1.2.3-SNAPSHOT-123", "2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-0A.is.legal", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
            "999999999999999.0.0", "1.0.0-0", "1.0.0+001",
        ])
    func valid(_ text: String) {
        #expect(SemanticVersion(text) != nil)
    }

    @Test(
        "refuses invalid versions",
        arguments: [
            "", "1", "1.2", "1.2.3.4", "01.1.1", "1.01.1", "1.1.01", "1.2.3-0123", "1.2.3-0123.0123", "1.0.0-alpha_beta",
            "1.0.0-", "1.0.0+", "1.0.0-alpha..1", "1.0.0-alpha.", "1.0.0+build..1", "1.2.3+meta+meta", "v1.2.3", " 1.2.3",
            "1.2.3 ", "a.b.c", "1.2.-3", "-1.0.0", "1.2.3-\u{e9}", "\u{661}.0.0", "1.0.0-alpha+", "+invalid", "-invalid",
            "9999999999999999.0.0", "1..0", "1.0.0-ß",
        ])
    func invalid(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("orders prereleases as semver 2.0 section 11 says")
    func specOrdering() throws {
        let texts = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0",
        ]
        let versions = try texts.map { try #require(SemanticVersion($0)) }
        for i in versions.indices {
            for j in versions.indices {
                #expect((versions[i] < versions[j]) == (i < j), "\(texts[i]) < \(texts[j])")
            }
        }
        #expect(versions.reversed().sorted().map(\.description) == texts)
    }

    @Test("orders the core numerically")
    func coreOrdering() throws {
        let texts = ["0.0.1", "0.1.0", "0.10.0", "1.0.0", "1.2.0", "1.10.0", "2.0.0", "10.0.0"]
        let shuffled = ["10.0.0", "1.10.0", "0.10.0", "2.0.0", "0.0.1", "1.2.0", "1.0.0", "0.1.0"]
        #expect(try shuffled.map { try #require(SemanticVersion($0)) }.sorted().map(\.description) == texts)
    }

    @Test("numeric identifiers sort before alphanumeric ones, and numerically among themselves")
    func identifierKinds() throws {
        let numeric = try #require(SemanticVersion("1.0.0-999"))
        let alpha = try #require(SemanticVersion("1.0.0-a"))
        #expect(numeric < alpha)
        #expect(!(alpha < numeric))
        #expect(try #require(SemanticVersion("1.0.0-2")) < #require(SemanticVersion("1.0.0-10")))
        // Uppercase sorts before lowercase in ASCII order.
        #expect(try #require(SemanticVersion("1.0.0-B")) < #require(SemanticVersion("1.0.0-a")))
    }

    @Test("an identifier with a hyphen is alphanumeric even if it looks like a negative number")
    func hyphenIdentifierIsAlphanumeric() throws {
        // semver 2.0 §11.4: identifiers "consisting of only digits are compared numerically"; "-1" is not
        // only digits, so it is alphanumeric and ranks above every numeric identifier.
        let numeric = try #require(SemanticVersion("1.0.0-1"))
        let hyphenated = try #require(SemanticVersion("1.0.0--1"))
        #expect(numeric < hyphenated)
        #expect(!(hyphenated < numeric))
    }

    @Test("build metadata is ignored when comparing")
    func buildIgnored() throws {
        let a = try #require(SemanticVersion("1.0.0+a"))
        let b = try #require(SemanticVersion("1.0.0+b"))
        #expect(a == b)
        #expect(!(a < b) && !(b < a))
        #expect(try #require(SemanticVersion("1.0.0-rc.1+x")) < #require(SemanticVersion("1.0.0+y")))
    }

    @Test("a release is greater than its prereleases but lower than the next patch's prerelease")
    func prereleaseAgainstRelease() throws {
        #expect(try #require(SemanticVersion("1.0.0")) < #require(SemanticVersion("1.0.1-alpha")))
        #expect(try #require(SemanticVersion("1.0.0-alpha")) < #require(SemanticVersion("1.0.0")))
        #expect(!(try #require(SemanticVersion("1.0.0")) < #require(SemanticVersion("1.0.0"))))
    }
}
