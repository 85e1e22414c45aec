import Testing

@testable import DepotMaven

@Suite("MavenVersion")
struct MavenVersionTests {
    func v(_ s: String) -> MavenVersion { MavenVersion(s) }

    @Test("the issue's order")
    func issueOrder() {
        let ordered = ["1.0-alpha-1", "1.0-beta", "1.0-rc1", "1.0", "1.0-sp", "1.0.1"]
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(v(a) < v(b), "\(a) < \(b)")
            #expect(!(v(b) < v(a)))
        }
        #expect(ordered.shuffled().map(v).sorted().map(\.string) == ordered)
    }

    @Test("equalities")
    func equal() {
        #expect(v("1.0") == v("1.0.0"))
        #expect(v("1.0") == v("1-ga"))
        #expect(v("1.0") == v("1.0-final"))
        #expect(v("1.0") == v("1.0.RELEASE"))
        #expect(v("1") == v("1.0.0.0"))
        #expect(v("1.0-rc1") == v("1.0-cr1"))
        #expect(v("1.0-a1") == v("1.0-alpha-1"))
        #expect(v("1.0-b2") == v("1.0-beta2"))
        #expect(v("1.0-m3") == v("1.0-milestone-3"))
        #expect(v("1.0-ALPHA1") == v("1.0-alpha1"))
        #expect(v("1.01") == v("1.1"))
        #expect(Set([v("1.0"), v("1.0.0"), v("1-ga")]).count == 1)
        #expect(v("1.0").canonical == v("1.0.0").canonical)
    }

    @Test("more orderings")
    func orderings() {
        let pairs: [(String, String)] = [
            ("1.0-SNAPSHOT", "1.0"), ("1.9", "1.10"), ("1.0-alpha", "1.0-alpha-2"), ("1.0-alpha-2", "1.0-alpha-10"),
            ("1.0-alpha", "1.0-beta"), ("1.0-beta", "1.0-milestone"), ("1.0-milestone", "1.0-rc"),
            ("1.0-rc", "1.0-SNAPSHOT"), ("1.0-rc1", "1.0-rc2"), ("1.0", "1.0-sp"), ("1.0-sp", "1.0-foo"),
            ("1.0-abc", "1.0-xyz"), ("1.0-sp", "1.0.1"), ("1.0-SNAPSHOT", "1.0.1-SNAPSHOT"), ("1", "1.1"),
            ("2.0", "10.0"), ("1.0.0", "1.0.0.1"), ("1-1", "1.1"), ("1.0", "1.0-1"),
            ("99999999999999999999", "100000000000000000000"), ("1.0-alpha-1", "1.0"),
        ]
        for (a, b) in pairs {
            #expect(v(a) < v(b), "\(a) < \(b)")
            #expect(!(v(b) < v(a)), "not \(b) < \(a)")
            #expect(v(a) != v(b))
        }
    }

    @Test("SNAPSHOT detection")
    func snapshot() {
        #expect(v("1.0-SNAPSHOT").isSnapshot)
        #expect(!v("1.0").isSnapshot)
        #expect(!v("SNAPSHOT").isSnapshot)
        #expect(MavenVersion.isSnapshot("2.1.3-SNAPSHOT"))
    }

    @Test("the format orders versions with it")
    func format() {
        let f = MavenFormat()
        #expect(f.isOlder("1.9", than: "1.10"))
        #expect(f.isOlder("1.0-SNAPSHOT", than: "1.0"))
        #expect(!f.isOlder("1.0", than: "1.0.0"))
    }

    @Test("a hostile version of a million nested items neither overflows the stack nor changes short versions")
    func deeplyNested() {
        // Each `-` nests a list; compared, rendered and released recursively, this used to overflow the stack.
        let hostile = v(String(repeating: "1-", count: 500_000))
        let other = v(String(repeating: "a1", count: 500_000))
        #expect(hostile == hostile && !(hostile < hostile))
        #expect(hostile < other || other < hostile)
        #expect(!hostile.canonical.isEmpty)
        #expect(v("1.0-alpha-1") < v("1.0") && v(String(repeating: "1-", count: 127) + "1") > v("1"))
    }
}
