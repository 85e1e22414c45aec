import DepotCore
import Testing

@testable import DepotPyPI

@Suite("DistributionFilename")
struct DistributionFilenameTests {
    @Test("a platform wheel with compressed tag sets")
    func numpyWheel() throws {
        let f = try DistributionFilename("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(f.kind == .wheel)
        #expect(f.fileExtension == ".whl")
        #expect(f.name == "numpy")
        #expect(f.projectName == "numpy")
        #expect(f.version == "1.26.4")
        #expect(f.buildTag == nil)
        #expect(f.pythonTag == "cp311")
        #expect(f.abiTag == "cp311")
        #expect(f.platformTags == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
    }

    @Test("a universal wheel")
    func sixWheel() throws {
        let f = try DistributionFilename("six-1.16.0-py2.py3-none-any.whl")
        #expect(f.projectName == "six")
        #expect(f.version == "1.16.0")
        #expect(f.pythonTags == ["py2", "py3"])
        #expect(f.abiTags == ["none"])
        #expect(f.platformTags == ["any"])
    }

    @Test("underscores in wheel names are escaped separators")
    func typingExtensions() throws {
        let f = try DistributionFilename("typing_extensions-4.12.2-py3-none-any.whl")
        #expect(f.name == "typing_extensions")
        #expect(f.projectName == "typing-extensions")
        #expect(f.matches(project: "typing-extensions", version: "4.12.2"))
        #expect(f.matches(project: "Typing.Extensions", version: "4.12.2"))
        #expect(!f.matches(project: "typing", version: "4.12.2"))
    }

    @Test("build tags")
    func buildTag() throws {
        let f = try DistributionFilename("pkg-1.0-1-py3-none-any.whl")
        #expect(f.buildTag == "1")
        #expect(f.pythonTag == "py3")
        let g = try DistributionFilename("pkg-1.0-20240101abc-cp312-abi3-win_amd64.whl")
        #expect(g.buildTag == "20240101abc")
        #expect(g.abiTag == "abi3")
        #expect(throws: DepotError.self) { try DistributionFilename("pkg-1.0-abc-py3-none-any.whl") }
    }

    @Test("sdists", arguments: [
        ("requests-2.32.3.tar.gz", "requests", "requests", "2.32.3", ".tar.gz"),
        ("zope.interface-6.4.tar.gz", "zope.interface", "zope-interface", "6.4", ".tar.gz"),
        ("Foo_Bar-1.0.zip", "Foo_Bar", "foo-bar", "1.0", ".zip"),
        ("legacy-0.9.tar.bz2", "legacy", "legacy", "0.9", ".tar.bz2"),
        ("python-dateutil-2.8.2.tar.gz", "python-dateutil", "python-dateutil", "2.8.2", ".tar.gz"),
        ("pkg-1.0rc1+local.1.tar.gz", "pkg", "pkg", "1.0rc1+local.1", ".tar.gz"),
    ])
    func sdists(filename: String, name: String, project: String, version: String, ext: String) throws {
        let f = try DistributionFilename(filename)
        #expect(f.kind == .sdist)
        #expect(f.name == name)
        #expect(f.projectName == project)
        #expect(f.version == version)
        #expect(f.fileExtension == ext)
        #expect(f.pythonTags.isEmpty)
        #expect(f.matches(project: project, version: version))
        #expect(f.description == filename)
    }

    @Test("refused file names", arguments: [
        "../evil-1.0.tar.gz", "a/b-1.0.whl", "a\\b-1.0.tar.gz", "x-1.0.exe", "x.whl", "x-1.0.tar.gz\u{0}", "x\u{0}-1.0.tar.gz",
        ".hidden-1.0.tar.gz", "x-1.0..tar.gz", "x-1.0.tar.gz\n", "x-1.0\u{7f}.tar.gz", "", "x-1.0 .tar.gz", "x%2f-1.0.tar.gz",
        "x-1.0.TAR.GZ", "noversion.tar.gz", "x-notaversion.tar.gz", "-1.0.tar.gz", "x-.tar.gz", "x-1.0-py3-none.whl",
        "x-1.0-1-2-py3-none-any.whl", "x--1.0-py3-none-any.whl", "x-1.0--none-any.whl", "x__y-1.0-py3-none-any.whl",
        "ünicode-1.0.tar.gz", String(repeating: "a", count: 250) + "-1.0.tar.gz",
    ])
    func refused(filename: String) {
        do {
            _ = try DistributionFilename(filename)
            Issue.record("accepted \(filename.debugDescription)")
        } catch let error as DepotError {
            #expect(error.kind == .badRequest)
            #expect(error.code == "InvalidFilename")
            #expect(error.message.contains("invalid distribution file name"))
            #expect(!error.message.contains("\u{0}"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("messages say what is wrong")
    func messages() {
        func message(_ name: String) -> String {
            do {
                _ = try DistributionFilename(name)
                return ""
            } catch {
                return (error as? DepotError)?.message ?? ""
            }
        }
        #expect(message("../evil-1.0.tar.gz").contains("path separators"))
        #expect(message("x-1.0..tar.gz").contains("'..'"))
        #expect(message("a/b-1.0.whl").contains("path separators"))
        #expect(message("x-1.0.exe").contains("only wheels"))
        #expect(message("x\u{0}.whl").contains("control characters"))
        #expect(message("x-abc.tar.gz").contains("not a valid PEP 440 version"))
    }

    @Test("matching compares normalized names and PEP 440 versions")
    func matching() throws {
        let sdist = try DistributionFilename("Foo_Bar-1.0.tar.gz")
        #expect(sdist.matches(project: "foo-bar", version: "1.0"))
        #expect(sdist.matches(project: "FOO.BAR", version: "1.0"))
        // As PyPI: Version("1.0") == Version("1.0.0").
        #expect(sdist.matches(project: "foo-bar", version: "1.0.0"))
        #expect(!sdist.matches(project: "foo-bar", version: "1.0.1"))
        #expect(!sdist.matches(project: "foo", version: "1.0"))
        #expect(!sdist.matches(project: "foo-bar", version: "1.0+local"))

        let legacy = try DistributionFilename("foo-1.0-1.tar.gz")
        #expect(legacy.matches(project: "foo", version: "1.0-1"))
        #expect(legacy.matches(project: "foo", version: "1.0.post1"))
        #expect(legacy.matches(project: "foo-1.0", version: "1"))

        let wheel = try DistributionFilename("foo_bar-2.0rc1-py3-none-any.whl")
        #expect(wheel.matches(project: "Foo.Bar", version: "2.0c1"))
        #expect(wheel.matches(project: "foo-bar", version: "2.0.0rc1"))
        #expect(!wheel.matches(project: "foo-bar", version: "2.0"))
        #expect(wheel.parsedVersion == PEP440Version("2.0rc1"))
    }
}
