import Foundation

/// A signed-in browser: the cookie holds only `id`; the token's secret stays in the server's memory so that every
/// request re-authenticates it (a revoked or expired token ends the session at once).
struct ConsoleSession: Sendable {
    /// Opaque random value of the session cookie.
    let id: String
    /// The token the user signed in with; never sent back to the browser.
    let secret: String
    /// Hidden in every form and checked on every POST.
    let csrfToken: String
    /// The token's expiry, capped: a session never outlives its token.
    let expiresAt: Date
}
