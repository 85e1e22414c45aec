import Foundation

/// The console's sessions and one-time sign-in links, in memory and bounded: expired ones are dropped, and past
/// `limit` the oldest goes first. A restart signs everyone out, which is the safe direction.
actor ConsoleSessionStore {
    static let maximumLifetime: TimeInterval = 12 * 60 * 60
    /// How long a link of `depot login --tool browser` can be used (once).
    static let linkLifetime: TimeInterval = 5 * 60
    private let limit: Int
    private let now: @Sendable () -> Date
    private var sessions: [String: ConsoleSession] = [:]
    /// Sign-in link code -> the token it signs in with, and until when.
    private var links: [String: (secret: String, expiresAt: Date)] = [:]

    init(limit: Int = 10_000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.limit = max(1, limit)
        self.now = now
    }

    /// A new session for `secret`, ending when the token does (or after `maximumLifetime`, whichever is first).
    func create(secret: String, tokenExpiresAt: Date?) -> ConsoleSession {
        let current = now()
        sessions = sessions.filter { $0.value.expiresAt > current }
        if sessions.count >= limit, let oldest = sessions.values.min(by: { $0.expiresAt < $1.expiresAt }) {
            sessions.removeValue(forKey: oldest.id)
        }
        let cap = current.addingTimeInterval(Self.maximumLifetime)
        let session = ConsoleSession(
            id: Self.randomToken(), secret: secret, csrfToken: Self.randomToken(),
            expiresAt: tokenExpiresAt.map { min($0, cap) } ?? cap)
        sessions[session.id] = session
        return session
    }

    /// The live session with this cookie value, if any.
    func session(id: String) -> ConsoleSession? {
        guard let session = sessions[id] else { return nil }
        guard session.expiresAt > now() else {
            sessions.removeValue(forKey: id)
            return nil
        }
        return session
    }

    /// A new one-time code for a sign-in link with `secret`, valid for `linkLifetime`.
    func createLink(secret: String) -> (code: String, expiresAt: Date) {
        let current = now()
        links = links.filter { $0.value.expiresAt > current }
        if links.count >= limit, let oldest = links.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
            links.removeValue(forKey: oldest.key)
        }
        let code = Self.randomToken()
        let expiresAt = current.addingTimeInterval(Self.linkLifetime)
        links[code] = (secret, expiresAt)
        return (code, expiresAt)
    }

    /// The token of a link's code, once: the code is gone afterwards, used or expired.
    func redeemLink(_ code: String) -> String? {
        guard let link = links.removeValue(forKey: code), link.expiresAt > now() else { return nil }
        return link.secret
    }

    func remove(id: String) {
        sessions.removeValue(forKey: id)
    }

    var count: Int { sessions.count }

    /// 32 random bytes, hex: unguessable cookie and CSRF values.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Compares secrets without an early exit on the first differing byte.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
