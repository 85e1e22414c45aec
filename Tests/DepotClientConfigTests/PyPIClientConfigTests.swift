import Testing

@testable import DepotClientConfig

@Suite("PyPI client configuration files")
struct PyPIClientConfigTests {
    @Test("pip.conf: index-url set in [global], other settings kept")
    func pipConf() {
        let existing = "[global]\ntimeout = 60\nindex-url = https://old/simple/\n\n[install]\nuser = false\n"
        let updated = PyPIClientConfig.pipConf(existing: existing, indexURL: "http://depot:t@h/d/r/pypi/simple/")
        #expect(updated.contains("index-url = http://depot:t@h/d/r/pypi/simple/"))
        #expect(!updated.contains("https://old/simple/"))
        #expect(updated.contains("timeout = 60") && updated.contains("[install]\nuser = false"))
        #expect(PyPIClientConfig.pipConf(existing: "", indexURL: "u") == "[global]\nindex-url = u\n")
    }

    @Test(".pypirc: a depot section added to index-servers, existing servers kept, re-login replaces the password")
    func pypirc() {
        let existing = "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\n"
        let once = PyPIClientConfig.pypirc(existing: existing, section: "depot", repositoryURL: "http://h/d/r/pypi/", token: "dpt_a")
        let file = INIFile(once)
        let servers = file.value(section: "distutils", key: "index-servers") ?? ""
        #expect(servers.split(whereSeparator: \.isWhitespace) == ["pypi", "depot"])
        #expect(file.value(section: "depot", key: "password") == "dpt_a")
        #expect(file.value(section: "pypi", key: "username") == "__token__")
        let twice = PyPIClientConfig.pypirc(existing: once, section: "depot", repositoryURL: "http://h/d/r/pypi/", token: "dpt_b")
        #expect(!twice.contains("dpt_a") && twice.contains("password = dpt_b"))
        #expect((INIFile(twice).value(section: "distutils", key: "index-servers") ?? "").split(whereSeparator: \.isWhitespace) == ["pypi", "depot"])
    }

    @Test("uv.toml: one [[index]] named depot, replaced on re-login, other indexes kept")
    func uvToml() {
        let existing = "[[index]]\nname = \"other\"\nurl = \"https://o/simple/\"\n\n[[index]]\nname = \"depot\"\nurl = \"old\"\ndefault = true\n"
        let updated = PyPIClientConfig.uvToml(existing: existing, name: "depot", indexURL: "http://depot:t@h/simple/")
        #expect(updated.contains("name = \"other\""))
        #expect(!updated.contains("\"old\""))
        #expect(updated.hasSuffix("[[index]]\nname = \"depot\"\nurl = \"http://depot:t@h/simple/\"\ndefault = true\n"))
    }

    @Test("credentials go into the index URL")
    func credentials() {
        #expect(PyPIClientConfig.withCredentials("https://h:8080/d/r/pypi/simple/", token: "dpt_x") == "https://depot:dpt_x@h:8080/d/r/pypi/simple/")
    }
}
