import DepotCore
import Testing

@testable import DepotNPM

@Suite("NpmPackageName")
struct NpmPackageNameTests {
    @Test("unscoped names are accepted", arguments: ["pkg", "left-pad", "lodash.merge", "a", "x_y", "node-fetch2", "a~b", "0x"])
    func validUnscoped(_ text: String) throws {
        let name = try NpmPackageName(text)
        #expect(name.scope == nil)
        #expect(name.name == text)
        #expect(name.description == text)
        #expect(name.escaped == text)
        #expect(name.key == PackageKey(format: "npm", namespace: "", name: text))
    }

    @Test("scoped names are split into scope and name")
    func validScoped() throws {
        let name = try NpmPackageName("@babel/core")
        #expect(name.scope == "babel")
        #expect(name.name == "core")
        #expect(name.description == "@babel/core")
        #expect(name.escaped == "@babel%2fcore")
        #expect(name.key == PackageKey(format: "npm", namespace: "babel", name: "core"))
    }

    @Test("the key round-trips to the same name")
    func keyRoundTrip() throws {
        for text in ["pkg", "@s/n", "@types/node"] {
            let name = try NpmPackageName(text)
            #expect(NpmPackageName(key: name.key) == name)
            #expect(NpmPackageName(key: name.key).description == text)
        }
    }

    @Test("tarball names use the unscoped part")
    func tarballName() throws {
        #expect(try NpmPackageName("pkg").tarballName(version: "1.0.0") == "pkg-1.0.0.tgz")
        #expect(try NpmPackageName("@s/n").tarballName(version: "2.0.0-beta.1") == "n-2.0.0-beta.1.tgz")
    }

    @Test("214 characters is the limit")
    func lengthLimit() throws {
        let longest = String(repeating: "a", count: 214)
        #expect(try NpmPackageName(longest).name == longest)
        let error = depotError { _ = try NpmPackageName(String(repeating: "a", count: 215)) }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "InvalidPackageName")
        // The limit counts the whole scoped name.
        let scopedTooLong = "@s/" + String(repeating: "b", count: 212)
        #expect(depotError { _ = try NpmPackageName(scopedTooLong) }?.kind == .badRequest)
        #expect(try NpmPackageName("@s/" + String(repeating: "b", count: 211)).name.count == 211)
    }

    @Test(
        "invalid names are refused with 400 InvalidPackageName",
        arguments: [
            "", "Pkg", "UPPER", "@Scope/name", "@scope/Name", ".hidden", "_private", "@scope/.name", "@scope/_name",
            "@.scope/name", "has space", " pkg", "pkg ", "..", ".", "a\0b", "@scope", "@scope/", "@/name", "a/b",
            "@a/b/c", "node_modules", "favicon.ico", "caf\u{e9}", "pkg!", "pkg(1)", "a:b", "a%2fb", "a\\b", "@@s/n",
        ])
    func invalid(_ text: String) {
        let error = depotError { _ = try NpmPackageName(text) }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "InvalidPackageName")
    }
}

@Suite("NpmFormat")
struct NpmFormatTests {
    @Test("maps display names to keys and back")
    func keys() throws {
        let format = NpmFormat()
        #expect(format.id == "npm")
        #expect(format.endpointPath == "npm/")
        let key = try format.packageKey(fromDisplayName: "@s/pkg")
        #expect(key == PackageKey(format: "npm", namespace: "s", name: "pkg"))
        #expect(format.displayName(of: key) == "@s/pkg")
        #expect(format.displayName(of: PackageKey(format: "npm", name: "pkg")) == "pkg")
        #expect(depotError { _ = try format.packageKey(fromDisplayName: "Bad Name") }?.kind == .badRequest)
    }

    @Test("orders versions by semver, not by text")
    func ordering() {
        let format = NpmFormat()
        #expect(format.isOlder("1.2.0", than: "1.10.0"))
        #expect(!format.isOlder("1.10.0", than: "1.2.0"))
        #expect(format.isOlder("1.0.0-rc.1", than: "1.0.0"))
        #expect(!format.isOlder("1.0.0", than: "1.0.0"))
        let sorted = ["1.10.0", "1.2.0", "1.0.0", "1.0.0-beta", "0.9.9"].sorted { format.isOlder($0, than: $1) }
        #expect(sorted == ["0.9.9", "1.0.0-beta", "1.0.0", "1.2.0", "1.10.0"])
    }
}
