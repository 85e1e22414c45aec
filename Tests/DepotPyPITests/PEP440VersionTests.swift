import Testing

@testable import DepotPyPI

@Suite("PEP440Version")
struct PEP440VersionTests {
    /// From `packaging`'s test suite: strictly increasing.
    static let ordered = [
        "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
        "1.0b2.post345", "1.0b2-346", "1.0c1.dev456", "1.0c1", "1.0rc2", "1.0c3", "1.0", "1.0.post456.dev34", "1.0.post456",
        "1.1.dev1", "1.2+123abc", "1.2+123abc456", "1.2+abc", "1.2+abc123", "1.2+abc123def", "1.2+1234.abc", "1.2+123456",
        "1.2.r32+123456", "1.2.rev33+123456",
        "1!1.0.dev456", "1!1.0a1", "1!1.0a2.dev456", "1!1.0a12.dev456", "1!1.0a12", "1!1.0b1.dev456", "1!1.0b2",
        "1!1.0b2.post345.dev456", "1!1.0b2.post345", "1!1.0b2-346", "1!1.0c1.dev456", "1!1.0c1", "1!1.0rc2", "1!1.0c3",
        "1!1.0", "1!1.0.post456.dev34", "1!1.0.post456", "1!1.1.dev1", "1!1.2+123abc", "1!1.2+123abc456", "1!1.2+abc",
        "1!1.2+abc123", "1!1.2+abc123def", "1!1.2+1234.abc", "1!1.2+123456", "1!1.2.r32+123456", "1!1.2.rev33+123456",
    ]

    @Test("orders versions as PEP 440 does")
    func ordering() throws {
        let versions = try Self.ordered.map { try #require(PEP440Version($0), "\($0) should parse") }
        for i in versions.indices {
            for j in versions.indices {
                #expect((versions[i] < versions[j]) == (i < j), "\(Self.ordered[i]) vs \(Self.ordered[j])")
                #expect((versions[i] == versions[j]) == (i == j), "\(Self.ordered[i]) vs \(Self.ordered[j])")
            }
        }
        var shuffled = versions
        shuffled.shuffle()
        #expect(shuffled.sorted().map(\.description) == versions.map(\.description))
    }

    @Test("the release phases in order")
    func phases() throws {
        let chain = ["1.0.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"].map { PEP440Version($0)! }
        #expect(chain == chain.sorted())
        #expect(zip(chain, chain.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("trailing zeros do not matter", arguments: [("1.0", "1.0.0"), ("1", "1.0.0.0"), ("2.0a1", "2.0.0a1"), ("1.0+x", "1.0.0+x")])
    func trailingZeros(a: String, b: String) throws {
        let x = try #require(PEP440Version(a)), y = try #require(PEP440Version(b))
        #expect(x == y)
        #expect(x.hashValue == y.hashValue)
        #expect(!(x < y) && !(y < x))
        #expect(x.description == a)  // the spelling is kept
    }

    @Test("normalized spelling", arguments: [
        ("1.0", "1.0"), ("v1.0", "1.0"), ("V1.0", "1.0"), (" 1.0\n", "1.0"), ("01.02.0003", "1.2.3"),
        ("0!1.0", "1.0"), ("2!1.0", "2!1.0"),
        ("1.0a1", "1.0a1"), ("1.0-alpha1", "1.0a1"), ("1.0.alpha.1", "1.0a1"), ("1.0_a_1", "1.0a1"), ("1.0a", "1.0a0"),
        ("1.0beta2", "1.0b2"), ("1.0-b2", "1.0b2"), ("1.0c1", "1.0rc1"), ("1.0pre1", "1.0rc1"), ("1.0preview1", "1.0rc1"),
        ("1.0RC1", "1.0rc1"), ("1.0-rc.1", "1.0rc1"),
        ("1.0-1", "1.0.post1"), ("1.0post1", "1.0.post1"), ("1.0.post", "1.0.post0"), ("1.0-r4", "1.0.post4"),
        ("1.0rev4", "1.0.post4"), ("1.0-post-2", "1.0.post2"),
        ("1.0.dev", "1.0.dev0"), ("1.0-dev2", "1.0.dev2"), ("1.0dev2", "1.0.dev2"),
        ("1.0a1.post2.dev3", "1.0a1.post2.dev3"), ("1.0+Ubuntu-1", "1.0+ubuntu.1"), ("1.0+abc_DEF.7", "1.0+abc.def.7"),
        ("2024.1.15", "2024.1.15"),
    ])
    func normalizes(input: String, expected: String) throws {
        let version = try #require(PEP440Version(input))
        #expect(version.normalized == expected)
        #expect(version.description == expected)
    }

    @Test("invalid versions are nil", arguments: [
        "", " ", "abc", "latest", "v", "1.", "1..0", ".1", "1.0-", "1.0+", "1.0+a..b", "1.0+a+b", "1.0a1a2", "1.0 beta",
        "1.0.post1.post2", "1!", "!1.0", "1.0_", "1.0-dev-", "1.0.dev1.dev2", "1.0gamma1", "1.0/1", "1.0\u{0}",
        "1.0+a b", "1234567890123456789.0", String(repeating: "1.", count: 200) + "1",
    ])
    func invalid(input: String) {
        #expect(PEP440Version(input) == nil)
    }

    @Test("components and prerelease")
    func components() throws {
        let v = try #require(PEP440Version("2!1.2.3rc4.post5.dev6+local.7"))
        #expect(v.epoch == 2)
        #expect(v.release == [1, 2, 3])
        #expect(v.pre?.kind == .releaseCandidate)
        #expect(v.pre?.number == 4)
        #expect(v.post == 5)
        #expect(v.dev == 6)
        #expect(v.local == "local.7")
        #expect(v.isPrerelease)
        #expect(!PEP440Version("1.0.post1")!.isPrerelease)
        #expect(PEP440Version("1.0.dev1")!.isPrerelease)
    }

    @Test("local versions sort after the public one")
    func local() {
        #expect(PEP440Version("1.0")! < PEP440Version("1.0+local")!)
        #expect(PEP440Version("1.0+local")! < PEP440Version("1.0.post1")!)
        #expect(PEP440Version("1.0+1")! > PEP440Version("1.0+zzz")!)
        #expect(PEP440Version("1.0+a")! < PEP440Version("1.0+a.b")!)
    }
}
