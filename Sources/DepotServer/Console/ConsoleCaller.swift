import DepotCore

/// Who is asking: the identity of the session's token re-authenticated on this request, or (without a session) of
/// an `Authorization` header. `sessionEnded`: a cookie named a session that is gone or whose token no longer works.
struct ConsoleCaller: Sendable {
    var identity: Identity?
    var session: ConsoleSession?
    var sessionEnded = false
}
