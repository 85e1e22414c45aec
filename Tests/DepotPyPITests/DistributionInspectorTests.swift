import DepotCore
import Foundation
import Testing

@testable import DepotPyPI

@Suite("DistributionInspector")
struct DistributionInspectorTests {
    let inspector = DistributionInspector()

    @Test("reads METADATA from the wheel's own dist-info directory, unmodified")
    func wheel() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let metadata = Fixtures.metadata(name: "pkg", version: "1.0")
        let path = dir.path("pkg-1.0-py3-none-any.whl")
        try Fixtures.makeZip(at: path, entries: [
            ("pkg/__init__.py", Data("print('hi')\n".utf8)),
            ("other-2.0.dist-info/METADATA", Fixtures.metadata(name: "other", version: "2.0")),
            ("pkg/vendored/x-1.0.dist-info/METADATA", Fixtures.metadata(name: "x", version: "1.0")),
            ("pkg-1.0.dist-info/METADATA", metadata),
            ("pkg-1.0.dist-info/RECORD", Data("pkg/__init__.py,,\n".utf8)),
        ])
        let result = try inspector.inspect(fileAt: path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        #expect(result.metadataBytes == metadata)
        #expect(result.metadataPath == "pkg-1.0.dist-info/METADATA")
        #expect(result.metadata.name == "pkg")
        #expect(result.metadata.version == "1.0")
        #expect(result.metadata.requiresPython == ">=3.8")
        #expect(result.metadata.requiresDist == ["requests>=2.0", "tomli; python_version < \"3.11\""])
    }

    @Test("the dist-info directory may use another spelling of the same name and version")
    func wheelSpelling() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("zope_interface-6.4-cp312-cp312-linux_x86_64.whl")
        try Fixtures.makeZip(at: path, entries: [
            ("zope.interface-6.4.0.dist-info/METADATA", Fixtures.metadata(name: "zope.interface", version: "6.4"))
        ])
        let result = try inspector.inspect(
            fileAt: path, as: DistributionFilename("zope_interface-6.4-cp312-cp312-linux_x86_64.whl"))
        #expect(result.metadata.name == "zope.interface")
    }

    @Test("a wheel whose METADATA deflate stream never ends is refused at once (found by fuzzing: it hung a thread)")
    func neverEndingDeflateStream() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("pkg-1.0-py3-none-any.whl", Data(base64Encoded: "UEsDBBQAAAAIAHiIgl0AAAAAAgAAAAAAAAAPAAAAcGtnL19faW5pdF9fLnB5AwBQSwMEFAAAAAgAiHiCXaJZkLWPAAAAwQAAABoAAABwa2ctMS4wLmRpc3QtaW5mby9NRVRBREFUQV1OTwuCMBS/vU/xsLOj6SVWCkHHiijoGkMfOmy6tmfgt28ZFHT8/f8diHWtWadX8sEMvcJMSDhqSwpd18CXlmIJl9Fa7SeFW2QKjE5XnW4I1PQYjaeQniZu3+ayyMXqR+9MYIU+wpgKZZHFrj+RB3s3a3Rzwe35UsUNJrmQMgFYzG9gP/QN1hQqbxxHh4AXUEsDBBQAAAAIAHiIgl2MSDsmFQAAABMAAAAXAAAAcGtnLTEuMC5kaXN0LWluZm8vV0hFRUwLz0hNzdENS7POzM9SLSow1DPgAgBQSwECFAMUAAAACAB4iIJdAAAAAAIAAAAAAAAADwAAAAAAAAAAAAAAgAEAAAAAcGtnL19faW5pdF9fLnB5UEsBAhQDFAAAAAgAeIiCXaJZkLWPAAAAwQAAABoAAAAAAAAAAAAAAIABLwAAAHBrRy0xLjAuZGlzdC1pbmZvL01FVEFEQVRBUEsBAhQDFAAAAAgAeIiCXYxIOyYVAAAAEwAAABcAAAAAAAAAAAAAAIAB9gAAAHBrZy0xLjAuZGlzdC1pbmZvL1dIRUVMUEsFBgAAAAADAAMAygAAAEABAAAAAA==")!)
        let error = expectBadRequest {
            _ = try inspector.inspect(fileAt: url.path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        }
        // What is inflated from its exact bytes is not valid core metadata: a clean 400, whichever check says so.
        #expect(["InvalidDistribution", "InvalidMetadata"].contains(error?.code ?? ""), "\(String(describing: error))")
    }

    @Test("a .whl that is not a zip is not a valid wheel")
    func notAZip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("pkg-1.0-py3-none-any.whl", Data("this is not a zip file at all".utf8))
        let error = expectBadRequest {
            _ = try inspector.inspect(fileAt: url.path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        }
        #expect(error?.message.contains("not a valid wheel") == true)
    }

    @Test("a wheel without its METADATA is refused")
    func wheelWithoutMetadata() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("pkg-1.0-py3-none-any.whl")
        try Fixtures.makeZip(at: path, entries: [
            ("pkg/__init__.py", Data()),
            ("pkg-2.0.dist-info/METADATA", Fixtures.metadata(name: "pkg", version: "2.0")),
        ])
        let error = expectBadRequest {
            _ = try inspector.inspect(fileAt: path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        }
        #expect(error?.message.contains("has no pkg-1.0.dist-info/METADATA") == true)
    }

    @Test("metadata over the size limit is refused")
    func wheelMetadataTooLarge() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("pkg-1.0-py3-none-any.whl")
        try Fixtures.makeZip(at: path, entries: [("pkg-1.0.dist-info/METADATA", Fixtures.metadata(name: "pkg", version: "1.0"))])
        let small = DistributionInspector(maxMetadataSize: 20)
        let error = expectBadRequest {
            _ = try small.inspect(fileAt: path, as: DistributionFilename("pkg-1.0-py3-none-any.whl"))
        }
        #expect(error?.code == "MetadataTooLarge")
    }

    @Test("PKG-INFO from a zip sdist")
    func zipSdist() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let metadata = Fixtures.metadata(name: "Foo_Bar", version: "1.0")
        let path = dir.path("Foo_Bar-1.0.zip")
        try Fixtures.makeZip(at: path, entries: [
            ("Foo_Bar-1.0/setup.py", Data("from setuptools import setup\nsetup()\n".utf8)),
            ("Foo_Bar-1.0/src/Foo_Bar.egg-info/PKG-INFO", Data("wrong one".utf8)),
            ("Foo_Bar-1.0/PKG-INFO", metadata),
        ])
        let result = try inspector.inspect(fileAt: path, as: DistributionFilename("Foo_Bar-1.0.zip"))
        #expect(result.metadataBytes == metadata)
        #expect(result.metadataPath == "Foo_Bar-1.0/PKG-INFO")
    }

    /// Lays out an sdist tree under `dir/src` and packs it with GNU tar; PKG-INFO goes last.
    func makeTarGz(
        _ dir: TemporaryDirectory, project: String, version: String, metadata: Data, format: String,
        extra: [(String, Data)] = []
    ) throws -> String {
        let root = "\(project)-\(version)"
        let longPath = "\(root)/src/" + String(repeating: "deeply_nested_directory/", count: 3) + "module_with_a_long_name.py"
        var files: [(String, Data)] = [("\(root)/setup.py", Data("setup()\n".utf8)), (longPath, Data("x = 1\n".utf8))]
        files += extra.map { ("\(root)/\($0.0)", $0.1) }
        files.append(("\(root)/PKG-INFO", metadata))
        for (path, data) in files { try dir.write("src/\(path)", data) }
        let output = dir.path("\(project)-\(version).tar.gz")
        try Fixtures.run(["tar", "--format=\(format)", "-czf", output] + files.map(\.0), in: dir.url.appendingPathComponent("src"))
        return output
    }

    @Test("PKG-INFO from a tar.gz sdist with long names", arguments: ["gnu", "pax", "ustar"])
    func tarGzSdist(format: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // The project directory alone makes PKG-INFO's path longer than the 100 bytes of a tar name field.
        let project = "a_project_with_an_unusually_long_name_" + String(repeating: "x", count: 80)
        let metadata = Fixtures.metadata(name: project, version: "1.0")
        let path = try makeTarGz(dir, project: project, version: "1.0", metadata: metadata, format: format)
        let filename = try DistributionFilename("\(project)-1.0.tar.gz")
        let result = try inspector.inspect(fileAt: path, as: filename)
        #expect(result.metadataBytes == metadata)
        #expect(result.metadataPath == "\(project)-1.0/PKG-INFO")
        #expect(result.metadata.name == project)
    }

    @Test("a regular sdist: requests-2.32.3.tar.gz")
    func requestsSdist() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let metadata = Data(CoreMetadataTests.requestsMetadata.utf8)
        // A big incompressible file before PKG-INFO: the reader has to stream past it.
        let path = try makeTarGz(
            dir, project: "requests", version: "2.32.3", metadata: metadata, format: "gnu",
            extra: [("tests/blob.bin", Fixtures.noise(count: 300_000))])
        let result = try inspector.inspect(fileAt: path, as: DistributionFilename("requests-2.32.3.tar.gz"))
        #expect(result.metadataBytes == metadata)
        #expect(result.metadata.requiresDist.count == 6)

        // A tar bomb: 413 once the inflated bytes pass the limit, before PKG-INFO is reached.
        let stingy = DistributionInspector(maxExpandedSize: 100_000)
        #expect {
            _ = try stingy.inspect(fileAt: path, as: DistributionFilename("requests-2.32.3.tar.gz"))
        } throws: { ($0 as? DepotError)?.kind == .payloadTooLarge && ($0 as? DepotError)?.message.contains("expands to more than") == true }
    }

    @Test("a tar.gz sdist without a top-level PKG-INFO is refused")
    func tarGzWithoutPKGINFO() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("src/pkg-1.0/setup.py", Data("setup()\n".utf8))
        try dir.write("src/pkg-1.0/pkg.egg-info/PKG-INFO", Fixtures.metadata(name: "pkg", version: "1.0"))
        try dir.write("src/other-1.0/PKG-INFO", Fixtures.metadata(name: "other", version: "1.0"))
        try Fixtures.run(["tar", "-czf", dir.path("pkg-1.0.tar.gz"), "pkg-1.0", "other-1.0"], in: dir.url.appendingPathComponent("src"))
        let error = expectBadRequest {
            _ = try inspector.inspect(fileAt: dir.path("pkg-1.0.tar.gz"), as: DistributionFilename("pkg-1.0.tar.gz"))
        }
        #expect(error?.message.contains("has no pkg-1.0/PKG-INFO") == true)
    }

    @Test("a .tar.gz that is not gzip, or is cut short, is refused")
    func notGzip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let bogus = try dir.write("pkg-1.0.tar.gz", Data(repeating: 0x41, count: 5000))
        let error = expectBadRequest {
            _ = try inspector.inspect(fileAt: bogus.path, as: DistributionFilename("pkg-1.0.tar.gz"))
        }
        #expect(error?.message.contains("not a valid gzip file") == true)

        let metadata = Fixtures.metadata(name: "pkg", version: "1.0")
        let good = try makeTarGz(
            dir, project: "pkg", version: "1.0", metadata: metadata, format: "gnu",
            extra: [("blob.bin", Fixtures.noise(count: 100_000))])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: good))
        expectBadRequest {
            _ = try inspector.inspect(fileAt: good, as: DistributionFilename("pkg-1.0.tar.gz"))
        }
    }

    @Test(".tar.bz2 sdists are refused (PEP 527)")
    func bzip2() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = try dir.write("pkg-1.0.tar.bz2", Data("BZh9".utf8))
        let error = expectBadRequest {
            _ = try inspector.inspect(fileAt: url.path, as: DistributionFilename("pkg-1.0.tar.bz2"))
        }
        #expect(error?.message.contains("PEP 527") == true)
    }
}
