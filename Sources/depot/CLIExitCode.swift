/// The CLI's exit codes, so scripts can tell why a command failed (listed in the README's CLI section).
enum CLIExitCode: Int32, Sendable {
    /// The request was refused for another reason (400, 409, ...), or a build failed.
    case failure = 1
    /// Bad arguments, an unknown profile, an unreadable profile file.
    case usage = 2
    /// 401 or 403: no token, a wrong or expired one, or one without the permission.
    case auth = 3
    /// 404: the domain, repository, package or build does not exist.
    case notFound = 4
    /// 5xx: the server (or a proxy in front of it) failed.
    case server = 5
    /// No answer: connection refused, unknown host, TLS failure, timeout.
    case connection = 6
}
