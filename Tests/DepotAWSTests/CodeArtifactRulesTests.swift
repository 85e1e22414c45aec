import DepotCore
import Foundation
import Testing

@testable import DepotAWS

/// CodeArtifact's rules where they differ from Depot's, in-memory paging, and the error types Depot's errors become.
@Suite("CodeArtifact rules")
struct CodeArtifactRulesTests {
    @Test("domain names: CodeArtifact's pattern, narrower than Depot's", arguments: ["acme", "a1", "my-domain", String(repeating: "a", count: 50)])
    func validDomainNames(name: String) throws {
        try CodeArtifactController.validateDomainName(name)
    }

    @Test("names Depot takes but CodeArtifact does not are ValidationException",
        arguments: ["a", "Acme", "my_domain", "my.domain", "1abc", "abc-", "-abc", String(repeating: "a", count: 51), ""])
    func invalidDomainNames(name: String) {
        #expect(throws: AWSError.self) { try CodeArtifactController.validateDomainName(name) }
    }

    @Test("in-memory pages follow their cursor to the end and refuse cursors of other listings")
    func memoryPaging() throws {
        let items = Array(1...7)
        var request = PageRequest(limit: 3)
        var seen: [Int] = []
        var pages = 0
        while true {
            let page = try MemoryPaging.page(items, request, listing: "assets")
            seen += page.items
            pages += 1
            guard let next = page.next else { break }
            request.after = try PageCursor(token: next.token)
        }
        #expect(seen == items && pages == 3)
        #expect(throws: (any Error).self) {
            _ = try MemoryPaging.page(items, PageRequest(limit: 3, after: PageCursor(listing: "domains", keys: ["3"])), listing: "assets")
        }
        #expect(throws: (any Error).self) {
            _ = try MemoryPaging.page(items, PageRequest(limit: 3, after: PageCursor(listing: "assets", keys: ["-1"])), listing: "assets")
        }
        // A cursor past the end (the list shrank meanwhile) is an empty last page.
        let past = try MemoryPaging.page(items, PageRequest(limit: 3, after: PageCursor(listing: "assets", keys: ["99"])), listing: "assets")
        #expect(past.items.isEmpty && past.next == nil)
    }

    @Test("Depot's errors become CodeArtifact's exceptions with the matching status")
    func errorMapping() {
        let cases: [(DepotError, String, Int)] = [
            (.badRequest("x"), "ValidationException", 400), (.unauthorized(), "UnrecognizedClientException", 403),
            (.forbidden("x"), "AccessDeniedException", 403), (.notFound("x"), "ResourceNotFoundException", 404),
            (.conflict("x"), "ConflictException", 409), (.tooLarge("x"), "ValidationException", 413),
            (.badGateway("x"), "InternalServerException", 500),
        ]
        for (error, type, status) in cases {
            let mapped = AWSError(error)
            #expect(mapped.type == type && mapped.status.code == status, "\(error) -> \(mapped)")
        }
    }
}
