import Foundation
import Testing

/// The CLI against a real server: listings follow `nextToken` across pages (the server's pages hold at most 1000).
@Suite("CLI paging")
struct CLIPagingTests {
    static func ids(_ result: CommandResult) throws -> (ids: [String], nextToken: String?) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.output)")
        let tokens = try #require(object["tokens"] as? [[String: Any]], "\(result.output)")
        return (tokens.compactMap { $0["id"] as? String }, object["nextToken"] as? String)
    }

    @Test("token list follows every page; --max-results stops and hands over a --next-token that continues")
    func tokenList() async throws {
        let ws = try Workspace()
        try ws.setUpRepository()
        // `depot login` minted some; 1,010 more make more than one server page of 1000.
        let admin = ws.server.adminToken
        let server = ws.server
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for _ in stride(from: worker, to: 1010, by: 8) {
                        let body = try JSONSerialization.data(withJSONObject: ["permissions": ["read"]])
                        let created = try await server.request(
                            "POST", "/api/v1/domains/acme/tokens", token: admin, body: body, headers: ["Content-Type": "application/json"])
                        #expect(created.status == 201)
                    }
                }
            }
            try await group.waitForAll()
        }

        let all = try Self.ids(try ws.server.cli(["token", "list", "--domain", "acme", "--json"]))
        #expect(all.ids.count >= 1010)
        #expect(Set(all.ids).count == all.ids.count)
        #expect(all.nextToken == nil)

        let first = try Self.ids(try ws.server.cli(["token", "list", "--domain", "acme", "--max-results", "3", "--json"]))
        #expect(first.ids == Array(all.ids.prefix(3)))
        let token = try #require(first.nextToken)
        // 1,005 more: two server pages (1000 + 5) in one command.
        let next = try Self.ids(
            try ws.server.cli(["token", "list", "--domain", "acme", "--max-results", "1005", "--next-token", token, "--json"]))
        #expect(next.ids == Array(all.ids.dropFirst(3).prefix(1005)))
        let rest = try Self.ids(try ws.server.cli(["token", "list", "--domain", "acme", "--next-token", try #require(next.nextToken), "--json"]))
        #expect(first.ids + next.ids + rest.ids == all.ids)
        #expect(rest.nextToken == nil)

        let table = try ws.server.cli(["token", "list", "--domain", "acme", "--max-results", "2"])
        #expect(table.succeeded, "\(table.output)")
        #expect(table.stdout.split(separator: "\n").count == 3, "\(table.stdout)")
        #expect(table.stderr.contains("--next-token"), "\(table.stderr)")
        let refused = try ws.server.cli(["token", "list", "--domain", "acme", "--next-token", "not-a-token"])
        #expect(!refused.succeeded)
        #expect(refused.output.contains("InvalidNextToken"), "\(refused.output)")
    }
}
