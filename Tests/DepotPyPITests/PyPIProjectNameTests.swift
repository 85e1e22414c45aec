import DepotCore
import Testing

@testable import DepotPyPI

@Suite("PyPIProjectName")
struct PyPIProjectNameTests {
    @Test("PEP 503 normalization", arguments: [
        ("friendly-bar", "friendly-bar"),
        ("Friendly-Bar", "friendly-bar"),
        ("friendly.bar", "friendly-bar"),
        ("friendly_bar", "friendly-bar"),
        ("FRIENDLY-BAR", "friendly-bar"),
        ("friendly--bar", "friendly-bar"),
        ("FrIeNdLy-._.-bAr", "friendly-bar"),
        ("zope.interface", "zope-interface"),
        ("typing_extensions", "typing-extensions"),
        ("Django", "django"),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(PyPIProjectName.normalize(input) == expected)
        let name = try PyPIProjectName(input)
        #expect(name.normalized == expected)
        #expect(name.original == input)
        #expect(name.isNormalized == (input == expected))
    }

    @Test("valid names", arguments: ["a", "A1", "requests", "zope.interface", "typing_extensions", "Foo-Bar.baz_2", "3to2"])
    func valid(name: String) throws {
        #expect(PyPIProjectName.isValid(name))
        _ = try PyPIProjectName(name)
    }

    @Test("invalid names are refused with a 400", arguments: [
        "", "-foo", "foo-", "_foo", ".foo", "foo.", "foo bar", "foo/bar", "../x", "naïve", "foo\0", "a+b", "@scope/x",
        String(repeating: "a", count: 201),
    ])
    func invalid(name: String) {
        #expect(!PyPIProjectName.isValid(name))
        #expect(throws: DepotError.self) { try PyPIProjectName(name) }
        do {
            _ = try PyPIProjectName(name)
        } catch let error as DepotError {
            #expect(error.kind == .badRequest)
            #expect(error.code == "InvalidPackageName")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("isNormalized")
    func isNormalized() {
        #expect(PyPIProjectName.isNormalized("friendly-bar"))
        #expect(!PyPIProjectName.isNormalized("friendly_bar"))
        #expect(!PyPIProjectName.isNormalized("Friendly-Bar"))
        #expect(!PyPIProjectName.isNormalized("a--b"))
    }
}
