import DepotCore
import Testing

@testable import DepotPyPI

@Suite("PyPIFormat")
struct PyPIFormatTests {
    let format = PyPIFormat()

    @Test("identity and endpoint")
    func identity() throws {
        #expect(format.id == "pypi")
        #expect(PyPIFormat.id == "pypi")
        #expect(format.endpointPath == "pypi/simple/")
        #expect(try FormatRegistry([format]).format("pypi").id == "pypi")
    }

    @Test("package keys are PEP 503 normalized")
    func keys() throws {
        let key = try format.packageKey(fromDisplayName: "Friendly_Bar")
        #expect(key == PackageKey(format: "pypi", name: "friendly-bar"))
        #expect(try format.packageKey(fromDisplayName: "friendly.bar") == key)
        #expect(format.displayName(of: key) == "friendly-bar")
        #expect(throws: DepotError.self) { try format.packageKey(fromDisplayName: "../etc") }
        #expect(throws: DepotError.self) { try format.packageKey(fromDisplayName: "") }
    }

    @Test("versions order by PEP 440, falling back to text")
    func ordering() {
        #expect(format.isOlder("1.0a1", than: "1.0"))
        #expect(format.isOlder("1.9", than: "1.10"))
        #expect(format.isOlder("1.0", than: "1.0.post1"))
        #expect(format.isOlder("1.0.dev0", than: "1.0a1"))
        #expect(!format.isOlder("1.0", than: "1.0.0"))
        #expect(!format.isOlder("1.0.0", than: "1.0"))
        #expect(format.isOlder("abc", than: "abd"))
    }
}
