import DepotCore
import Testing

@testable import DepotCargo

@Suite("Cargo names, versions and index paths")
struct CargoNamesTests {
    @Test("index paths follow Cargo's rules for 1, 2, 3 and 4+ characters, lowercase")
    func indexPaths() throws {
        let cases = [
            ("a", "1/a"), ("ab", "2/ab"), ("abc", "3/a/abc"), ("abcd", "ab/cd/abcd"), ("serde", "se/rd/serde"),
            ("Inflector", "in/fl/inflector"), ("foo-bar_baz", "fo/o-/foo-bar_baz"), ("X", "1/x"), ("Ab_", "3/a/ab_"),
        ]
        for (name, path) in cases {
            #expect(CargoIndexPath.path(for: try CargoCrateName(name)) == path, "\(name)")
            let parsed = CargoIndexPath.crate(atPath: path.split(separator: "/"))
            #expect(parsed?.name == name.lowercased(), "\(path)")
        }
    }

    @Test("a path names a crate only where that crate's file is")
    func wrongIndexPaths() {
        for path in ["1/ab", "2/a", "3/b/abc", "3/abc", "ab/ce/abcd", "se/rd/Serde", "SE/RD/serde", "x/y/z/serde", "serde", "1/-", "2/..",
            "ab/cd/abcd/", "1/1", "3/a/a.b"]
        {
            #expect(CargoIndexPath.crate(atPath: path.split(separator: "/", omittingEmptySubsequences: false)) == nil, "\(path)")
        }
    }

    @Test("crate names: ASCII alphanumerics, '-' and '_', a letter first, at most 64 characters")
    func names() throws {
        for valid in ["a", "serde", "serde_json", "foo-bar", "Inflector", "a1", String(repeating: "x", count: 64)] {
            #expect(throws: Never.self) { try CargoCrateName(valid) }
        }
        for invalid in ["", "1abc", "_foo", "-foo", "foo.bar", "foo/bar", "../x", "fo o", "é", "nul", "CON", "lpt1", String(repeating: "x", count: 65),
            "a\0b"]
        {
            #expect(throws: DepotError.self) { try CargoCrateName(invalid) }
        }
        #expect(try CargoCrateName("Foo-Bar").canonical == "foo_bar")
        #expect(try CargoCrateName("foo_bar").canonical == "foo_bar")
        #expect(try CargoCrateName("Foo-Bar").key == PackageKey(format: "cargo", name: "foo-bar"))
    }

    @Test("versions are SemVer 2.0; build metadata does not count")
    func versions() throws {
        for valid in ["0.0.0", "1.2.3", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85", "1.0.0-x-y-z.--", "9223372036854775807.0.0"]
        {
            #expect(CargoVersion(valid) != nil, "\(valid)")
        }
        for invalid in ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b", "1.2.3+a..b",
            "v1.2.3", " 1.2.3", "1.2.3 ", "1.2.3-a/b", "../1.0.0", "9223372036854775808.0.0", "99999999999999999999999999.0.0", "-1.0.0",
            String(repeating: "1", count: 200) + ".0.0"]
        {
            #expect(CargoVersion(invalid) == nil, "\(invalid)")
        }
        let withBuild = try #require(CargoVersion("1.0.0-rc.1+build.5"))
        #expect(withBuild.identity == "1.0.0-rc.1")
        #expect(withBuild.identity == CargoVersion("1.0.0-rc.1+other")?.identity)
        #expect(CargoVersion("1.0.0")?.identity == "1.0.0")
    }

    @Test("versions order as SemVer says")
    func order() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
            "1.0.1", "1.2.0", "1.10.0", "2.0.0"]
        let parsed = ordered.compactMap(CargoVersion.init)
        #expect(parsed.count == ordered.count)
        for (a, b) in zip(parsed, parsed.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a), "\(b) !< \(a)")
        }
        #expect(CargoFormat().isOlder("0.9.0", than: "0.10.0"))
        #expect(!CargoFormat().isOlder("1.0.0+a", than: "1.0.0+b"))
    }
}
