import DepotCore
import Foundation
import Testing

@Suite("Permissions and token scopes")
struct TokenScopeTests {
    @Test("permissions are ordered read < publish < admin")
    func permissionOrder() {
        #expect(Permission.read < .publish)
        #expect(Permission.publish < .admin)
        #expect(Permission.read < .admin)
        #expect(!(Permission.admin < .read))
        #expect(Permission.allCases.sorted() == [.read, .publish, .approve, .admin])
    }

    @Test("approve is granted by itself or admin, never by publish, and grants only read besides")
    func approvePermission() {
        #expect(TokenScope(domain: "d", permissions: [.approve]).grants(.approve))
        #expect(TokenScope(domain: "d", permissions: [.approve]).grants(.read))
        #expect(!TokenScope(domain: "d", permissions: [.approve]).grants(.publish))
        #expect(!TokenScope(domain: "d", permissions: [.publish]).grants(.approve))
        #expect(TokenScope(domain: "d", permissions: [.admin]).grants(.approve))
    }

    @Test("admin implies publish implies read")
    func grantsHierarchy() {
        let admin = TokenScope(domain: "acme", permissions: [.admin])
        #expect(admin.grants(.admin))
        #expect(admin.grants(.publish))
        #expect(admin.grants(.read))

        let publish = TokenScope(domain: "acme", permissions: [.publish])
        #expect(!publish.grants(.admin))
        #expect(publish.grants(.publish))
        #expect(publish.grants(.read))

        let read = TokenScope(domain: "acme", permissions: [.read])
        #expect(!read.grants(.admin))
        #expect(!read.grants(.publish))
        #expect(read.grants(.read))

        let none = TokenScope(domain: "acme", permissions: [])
        for permission in Permission.allCases {
            #expect(!none.grants(permission))
        }
    }

    @Test("a scope without a domain covers every domain; a domain scope only its own")
    func coversDomain() {
        let global = TokenScope(domain: nil, permissions: [.admin])
        #expect(global.covers(domain: "acme"))
        #expect(global.covers(domain: "other"))

        let acme = TokenScope(domain: "acme", permissions: [.read])
        #expect(acme.covers(domain: "acme"))
        #expect(!acme.covers(domain: "other"))
        #expect(!acme.covers(domain: "acme2"))
    }

    @Test("repository lists limit coverage; nil means every repository of the domain")
    func coversRepository() {
        let allRepos = TokenScope(domain: "acme", permissions: [.read])
        #expect(allRepos.covers(domain: "acme", repository: "anything"))
        #expect(!allRepos.covers(domain: "other", repository: "anything"))

        let limited = TokenScope(domain: "acme", repositories: ["npm-store", "team"], permissions: [.publish])
        #expect(limited.covers(domain: "acme", repository: "npm-store"))
        #expect(limited.covers(domain: "acme", repository: "team"))
        #expect(!limited.covers(domain: "acme", repository: "secret"))
        #expect(!limited.covers(domain: "other", repository: "team"))

        let empty = TokenScope(domain: "acme", repositories: [], permissions: [.read])
        #expect(!empty.covers(domain: "acme", repository: "team"))
        #expect(empty.covers(domain: "acme"))
    }

    @Test("a scope contains itself and narrower scopes")
    func containsNarrower() {
        let bootstrap = TokenScope(domain: nil, permissions: [.admin])
        #expect(bootstrap.contains(bootstrap))
        #expect(bootstrap.contains(TokenScope(domain: "acme", permissions: [.admin])))
        #expect(bootstrap.contains(TokenScope(domain: nil, permissions: [.read])))
        #expect(bootstrap.contains(TokenScope(domain: "acme", repositories: ["a"], permissions: [.read, .publish])))

        let domainAdmin = TokenScope(domain: "acme", permissions: [.admin])
        #expect(domainAdmin.contains(TokenScope(domain: "acme", permissions: [.read])))
        #expect(domainAdmin.contains(TokenScope(domain: "acme", repositories: ["x", "y"], permissions: [.publish])))

        let limited = TokenScope(domain: "acme", repositories: ["a", "b"], permissions: [.publish])
        #expect(limited.contains(limited))
        #expect(limited.contains(TokenScope(domain: "acme", repositories: ["a"], permissions: [.read])))
        #expect(limited.contains(TokenScope(domain: "acme", repositories: ["b", "a"], permissions: [.publish])))
    }

    @Test("a scope refuses broader scopes")
    func refusesBroader() {
        let domainAdmin = TokenScope(domain: "acme", permissions: [.admin])
        // Other domain, or all domains.
        #expect(!domainAdmin.contains(TokenScope(domain: "other", permissions: [.read])))
        #expect(!domainAdmin.contains(TokenScope(domain: nil, permissions: [.read])))

        let limited = TokenScope(domain: "acme", repositories: ["a", "b"], permissions: [.publish])
        // More repositories, or all repositories.
        #expect(!limited.contains(TokenScope(domain: "acme", repositories: ["a", "c"], permissions: [.read])))
        #expect(!limited.contains(TokenScope(domain: "acme", repositories: nil, permissions: [.read])))
        // More permissions.
        #expect(!limited.contains(TokenScope(domain: "acme", repositories: ["a"], permissions: [.admin])))
        #expect(!limited.contains(TokenScope(domain: "acme", repositories: ["a"], permissions: [.read, .admin])))

        let reader = TokenScope(domain: "acme", permissions: [.read])
        #expect(!reader.contains(TokenScope(domain: "acme", permissions: [.publish])))
        #expect(!reader.contains(TokenScope(domain: "acme", permissions: [.admin])))
    }
}

@Suite("TokenRecord validity")
struct TokenRecordTests {
    let created = Date(timeIntervalSince1970: 1_700_000_000)
    let scope = TokenScope(domain: "acme", permissions: [.read])

    @Test("valid before expiry, invalid at and after it")
    func expiry() {
        let expires = created.addingTimeInterval(3600)
        let record = TokenRecord(id: "t1", name: "ci", scope: scope, createdAt: created, expiresAt: expires)
        #expect(record.isValid(at: created))
        #expect(record.isValid(at: expires.addingTimeInterval(-1)))
        #expect(!record.isValid(at: expires))
        #expect(!record.isValid(at: expires.addingTimeInterval(1)))
        #expect(!record.isValid(at: expires.addingTimeInterval(86_400 * 365)))
    }

    @Test("a token without expiry never expires")
    func neverExpires() {
        let record = TokenRecord(id: "t1", name: "admin", scope: scope, createdAt: created, expiresAt: nil)
        #expect(record.isValid(at: created))
        #expect(record.isValid(at: created.addingTimeInterval(100 * 365 * 86_400)))
        #expect(record.isValid(at: .distantFuture))
    }

    @Test("a revoked token is invalid, whether or not it expires")
    func revoked() {
        let revokedAt = created.addingTimeInterval(60)
        let expiring = TokenRecord(
            id: "t1", name: "ci", scope: scope, createdAt: created, expiresAt: created.addingTimeInterval(3600),
            revokedAt: revokedAt)
        #expect(!expiring.isValid(at: created.addingTimeInterval(120)))
        let forever = TokenRecord(id: "t2", name: "admin", scope: scope, createdAt: created, expiresAt: nil, revokedAt: revokedAt)
        #expect(!forever.isValid(at: created.addingTimeInterval(120)))
    }
}
