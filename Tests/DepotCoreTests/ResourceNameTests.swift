import DepotCore
import Testing

@Suite("ResourceName.validate")
struct ResourceNameTests {
    @Test(
        "good names are accepted",
        arguments: [
            "ab", "acme", "my-repo", "npm_store", "v1.2", "0day", "team.npm-store_2",
            String(repeating: "a", count: 50), "a-", "a.",
        ])
    func goodNames(name: String) throws {
        try ResourceName.validate(name, what: "repository")
    }

    @Test(
        "bad names are rejected with InvalidName",
        arguments: [
            "",  // empty
            "a",  // too short
            String(repeating: "a", count: 51),  // too long
            "Acme", "ACME", "myRepo",  // uppercase
            "..", "a..b", "../etc", "a/b", "/abs", "a\\b",  // traversal and separators
            ".hidden", "-dash", "_under",  // bad first character
            "api", "healthz", "metrics",  // reserved first path segments
            "a b", "tab\t", "new\nline", "café", "ab%2f", "a:b", "a?b", "a#b", "a@b",
        ])
    func badNames(name: String) {
        let error = #expect(throws: DepotError.self) { try ResourceName.validate(name, what: "domain") }
        #expect(error?.kind == .badRequest)
        #expect(error?.code == "InvalidName")
    }

    @Test("the message names what was validated")
    func messageMentionsWhat() {
        let error = #expect(throws: DepotError.self) { try ResourceName.validate("BAD", what: "repository") }
        #expect(error?.message.contains("repository") == true)
        #expect(error?.message.contains("BAD") == true)
    }
}
