import DepotCore
import Testing

@testable import DepotMaven

@Suite("MavenChecksum")
struct MavenChecksumTests {
    // Digests of "hello\n".
    let digests = BlobDigests(
        size: 6, md5: "b1946ac92492d2347c6235b4d2611184", sha1: "f572d396fae9206628714fb2ce00f72e94f2258f",
        sha256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
        sha512:
            "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629"
    )

    @Test("each algorithm maps to its digest")
    func mapping() {
        #expect(MavenChecksum.md5.value(in: digests) == digests.md5)
        #expect(MavenChecksum.sha1.value(in: digests) == digests.sha1)
        #expect(MavenChecksum.sha256.value(in: digests) == digests.sha256)
        #expect(MavenChecksum.sha512.value(in: digests) == digests.sha512)
        #expect(MavenChecksum.sha1.fileSuffix == ".sha1")
        #expect(MavenChecksum.forFileName("lib-1.0.jar.sha256") == .sha256)
        #expect(MavenChecksum.forFileName("lib-1.0.jar") == nil)
    }

    @Test("uploaded checksums match case-insensitively and in the `hex  file` form")
    func matches() {
        for algorithm in MavenChecksum.allCases {
            let hex = algorithm.value(in: digests)
            #expect(algorithm.matches(hex, digests))
            #expect(algorithm.matches(hex.uppercased(), digests))
            #expect(algorithm.matches(hex + "\n", digests))
            #expect(algorithm.matches("  \(hex)  lib-1.0.jar\n", digests))
            #expect(algorithm.matches("\(hex) *lib-1.0.jar", digests))
            #expect(algorithm.matches("\(algorithm.rawValue.uppercased()) (lib-1.0.jar) = \(hex)", digests))
            #expect(!algorithm.matches("", digests))
            #expect(!algorithm.matches(String(hex.dropLast()) + (hex.last == "0" ? "1" : "0"), digests))
            #expect(!algorithm.matches(String(hex.dropLast()), digests))
            #expect(!algorithm.matches("lib-1.0.jar \(hex)", digests))
        }
        #expect(!MavenChecksum.md5.matches(digests.sha1, digests))
    }
}

@Suite("MavenFormat")
struct MavenFormatTests {
    let format = MavenFormat()

    @Test("identity")
    func identity() {
        #expect(format.id == "maven")
        #expect(format.endpointPath == "maven/")
    }

    @Test("group:artifact names")
    func names() throws {
        let key = try format.packageKey(fromDisplayName: "org.example:lib")
        #expect(key == PackageKey(format: "maven", namespace: "org.example", name: "lib"))
        #expect(format.displayName(of: key) == "org.example:lib")
        #expect(try format.packageKey(fromDisplayName: "junit:junit").namespace == "junit")
        #expect(try format.packageKey(fromDisplayName: "org.eclipse.jdt:org.eclipse.jdt.core").name
            == "org.eclipse.jdt.core")
    }

    @Test(
        "invalid names",
        arguments: [
            "", "lib", ":lib", "org.example:", "a:b:c", "org..example:lib", ".org:lib", "org.:lib", "org/example:lib",
            "org.example:../lib", "org.example:.lib", "org example:lib", "org.example:li b", "org.example:lib+1",
        ])
    func invalid(_ name: String) {
        #expect(throws: DepotError.self) { try format.packageKey(fromDisplayName: name) }
    }
}
