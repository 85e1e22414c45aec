import DepotCore
import Testing

@testable import DepotSwiftRegistry

@Suite("Package identity (scope.name)")
struct SwiftPackageIdentityTests {
    @Test("Valid scopes and names", arguments: [
        "mona.LinkedList", "a.b", "mona-lisa.Linked_List", "x1.y-2", "MONA.linked-list_2",
        "\(String(repeating: "a", count: 39)).\(String(repeating: "b", count: 100))",
    ])
    func valid(_ identifier: String) throws {
        let identity = try SwiftPackageIdentity(identifier)
        #expect(identity.description == identifier)
    }

    @Test("Invalid scopes and names are 400s", arguments: [
        "", "mona", ".name", "scope.", "-mona.x", "mona-.x", "mo--na.x", "mo_na.x", "mona.-x", "mona.x-", "mona.x__y", "mona.x-_y",
        "mona.x.y", "mona./x", "mona.x/../y", "mona.ä", "mo na.x", "mona.x%2f",
        "\(String(repeating: "a", count: 40)).b", "a.\(String(repeating: "b", count: 101))",
    ])
    func invalid(_ identifier: String) {
        #expect(throws: DepotError.self) { try SwiftPackageIdentity(identifier) }
    }

    @Test("Case-insensitive: one key for every spelling, the spelling kept")
    func caseInsensitive() throws {
        let a = try SwiftPackageIdentity("Mona.LinkedList")
        let b = try SwiftPackageIdentity("mona.linkedlist")
        #expect(a == b)
        #expect(a.key == PackageKey(format: "swift", namespace: "mona", name: "linkedlist"))
        #expect(a.description == "Mona.LinkedList")
        #expect(SwiftPackageIdentity(key: a.key).description == "mona.linkedlist")
    }

    @Test("The format parses and shows identifiers for the management API")
    func format() throws {
        let format = SwiftRegistryFormat()
        #expect(format.id == "swift")
        #expect(format.endpointPath == "swift/")
        let key = try format.packageKey(fromDisplayName: "Mona.LinkedList")
        #expect(format.displayName(of: key) == "mona.linkedlist")
        #expect(throws: DepotError.self) { try format.packageKey(fromDisplayName: "../etc") }
        #expect(format.isOlder("1.0.0-beta", than: "1.0.0"))
        #expect(!format.isOlder("1.10.0", than: "1.9.0"))
    }
}
