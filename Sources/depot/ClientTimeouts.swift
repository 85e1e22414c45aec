/// How long the CLI waits, in seconds: to connect, for an answer, and for more bytes of an answer being streamed.
struct ClientTimeouts: Sendable {
    var connect = 5
    var request = 120
    var idle = 120
}
