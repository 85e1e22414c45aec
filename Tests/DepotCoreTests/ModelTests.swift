import DepotCore
import Foundation
import Testing

@Suite("VersionStatus")
struct VersionStatusTests {
    @Test(
        "parses the CodeArtifact spelling in any case",
        arguments: [
            ("Published", VersionStatus.published), ("published", .published), ("PUBLISHED", .published),
            ("unfinished", .unfinished), ("UnListed", .unlisted), ("archived", .archived), ("DISPOSED", .disposed),
        ])
    func parses(input: String, expected: VersionStatus) {
        #expect(VersionStatus(caseInsensitive: input) == expected)
    }

    @Test("rejects other words", arguments: ["", "publish", "deleted", "Published ", " archived", "listed"])
    func rejects(input: String) {
        #expect(VersionStatus(caseInsensitive: input) == nil)
    }

    @Test("only Published is listed; Published, Unlisted and Unfinished are downloadable")
    func listedAndDownloadable() {
        #expect(VersionStatus.allCases.filter(\.isListed) == [.published])
        #expect(Set(VersionStatus.allCases.filter(\.isDownloadable)) == [.published, .unlisted, .unfinished])
    }
}

@Suite("Model basics")
struct ModelTests {
    @Test("package keys print as format:name or format:namespace/name")
    func packageKeyDescription() {
        #expect(PackageKey(format: "npm", name: "left-pad").description == "npm:left-pad")
        #expect(PackageKey(format: "npm", namespace: "babel", name: "core").description == "npm:babel/core")
    }

    @Test("origin control defaults follow CodeArtifact")
    func originDefaults() {
        #expect(OriginControls.internalPackage == OriginControls(publish: .allow, upstream: .block))
        #expect(OriginControls.externalPackage == OriginControls(publish: .block, upstream: .allow))
        #expect(OriginRestriction.allow.rawValue == "ALLOW")
        #expect(OriginRestriction.block.rawValue == "BLOCK")
    }

    @Test("DepotError factories set kind and code")
    func errorFactories() {
        #expect(DepotError.badRequest("m").kind == .badRequest)
        #expect(DepotError.badRequest("m").code == "BadRequest")
        #expect(DepotError.badRequest("m", code: "InvalidName").code == "InvalidName")
        #expect(DepotError.notFound("m").kind == .notFound)
        #expect(DepotError.conflict("m", code: "VersionExists").kind == .conflict)
        #expect(DepotError.forbidden("m").kind == .forbidden)
        #expect(DepotError.forbidden("m").code == "Forbidden")
        #expect(DepotError.unauthorized().kind == .unauthorized)
        #expect(DepotError.unauthorized().code == "Unauthorized")
        #expect(DepotError.tooLarge("m").kind == .payloadTooLarge)
        #expect(DepotError.tooLarge("m").code == "PayloadTooLarge")
        #expect(DepotError.conflict("boom", code: "X").description == "X: boom")
    }
}

private struct FakeFormat: PackageFormat {
    let id: String
    var endpointPath: String { "\(id)/" }
    func packageKey(fromDisplayName name: String) throws -> PackageKey { PackageKey(format: id, name: name) }
    func displayName(of key: PackageKey) -> String { key.name }
    func isOlder(_ a: String, than b: String) -> Bool { a < b }
}

@Suite("FormatRegistry")
struct FormatRegistryTests {
    @Test("looks formats up by id and lists ids sorted")
    func lookup() throws {
        let registry = FormatRegistry([FakeFormat(id: "pypi"), FakeFormat(id: "npm"), FakeFormat(id: "maven")])
        #expect(registry.ids == ["maven", "npm", "pypi"])
        #expect(try registry.format("npm").id == "npm")
    }

    @Test("an unknown format is a 400 UnknownFormat naming the known ones")
    func unknown() {
        let registry = FormatRegistry([FakeFormat(id: "npm")])
        let error = #expect(throws: DepotError.self) { try registry.format("cargo") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "UnknownFormat")
        #expect(error?.message.contains("npm") == true)
    }
}
