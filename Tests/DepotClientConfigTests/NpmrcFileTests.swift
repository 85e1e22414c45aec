import Testing

@testable import DepotClientConfig

@Suite("NpmrcFile")
struct NpmrcFileTests {
    static let registry = "http://h:1/a/b/npm/"

    @Test("nerf dart drops the scheme and keeps host, port and path")
    func nerfDart() {
        #expect(NpmrcFile.nerfDart("http://h:1/a/b/npm/") == "//h:1/a/b/npm/")
        #expect(NpmrcFile.nerfDart("https://depot.example.com/acme/main/npm/") == "//depot.example.com/acme/main/npm/")
    }

    @Test("a fresh file gets the registry and its token")
    func fresh() {
        let merged = NpmrcFile.merged(existing: "", registryURL: Self.registry, token: "dpt_abc", scope: nil)
        #expect(merged == "registry=http://h:1/a/b/npm/\n//h:1/a/b/npm/:_authToken=dpt_abc\n")
    }

    @Test("a registry URL without a trailing slash gets one")
    func trailingSlash() {
        let merged = NpmrcFile.merged(existing: "", registryURL: "http://h:1/a/b/npm", token: "t", scope: nil)
        #expect(merged == "registry=http://h:1/a/b/npm/\n//h:1/a/b/npm/:_authToken=t\n")
    }

    @Test("replaces the registry and this registry's token, keeping every other line in order")
    func replaces() {
        let existing = """
            ; my settings
            registry=https://registry.npmjs.org/
            save-exact=true
            //h:1/a/b/npm/:_authToken=dpt_old
            //registry.npmjs.org/:_authToken=npm_keep
            //h:1/a/other/npm/:_authToken=dpt_other
            @x:registry=http://h:1/a/x/npm/

            """
        let merged = NpmrcFile.merged(existing: existing, registryURL: Self.registry, token: "dpt_new", scope: nil)
        #expect(
            merged == """
                ; my settings
                save-exact=true
                //registry.npmjs.org/:_authToken=npm_keep
                //h:1/a/other/npm/:_authToken=dpt_other
                @x:registry=http://h:1/a/x/npm/
                registry=http://h:1/a/b/npm/
                //h:1/a/b/npm/:_authToken=dpt_new

                """)
        #expect(!merged.contains("dpt_old"))
        #expect(merged.components(separatedBy: "registry=http://h:1/a/b/npm/").count == 2)
    }

    @Test("keys written with spaces around '=' are recognized")
    func spacedKeys() {
        let existing = "registry = https://registry.npmjs.org/\n//h:1/a/b/npm/:_authToken = dpt_old\nfund=false"
        let merged = NpmrcFile.merged(existing: existing, registryURL: Self.registry, token: "dpt_new", scope: nil)
        #expect(merged == "fund=false\nregistry=http://h:1/a/b/npm/\n//h:1/a/b/npm/:_authToken=dpt_new\n")
    }

    @Test("a scope sets @scope:registry and leaves the default registry alone", arguments: ["x", "@x"])
    func scoped(_ scope: String) {
        let existing = "registry=https://registry.npmjs.org/\n@x:registry=http://old/npm/\n@y:registry=http://y/npm/\n"
        let merged = NpmrcFile.merged(existing: existing, registryURL: Self.registry, token: "dpt_s", scope: scope)
        #expect(
            merged == """
                registry=https://registry.npmjs.org/
                @y:registry=http://y/npm/
                @x:registry=http://h:1/a/b/npm/
                //h:1/a/b/npm/:_authToken=dpt_s

                """)
    }

    @Test("merging twice is idempotent")
    func idempotent() {
        let once = NpmrcFile.merged(existing: "color=false\n", registryURL: Self.registry, token: "dpt_1", scope: nil)
        let twice = NpmrcFile.merged(existing: once, registryURL: Self.registry, token: "dpt_1", scope: nil)
        #expect(once == twice)
    }
}
