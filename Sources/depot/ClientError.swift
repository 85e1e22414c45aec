import Foundation

/// Why a client command failed, in one line for standard error, with the exit code that says what kind of failure.
struct ClientError: Error, CustomStringConvertible {
    /// The HTTP status; 0 when there was no answer.
    let status: Int
    /// The server's error code (`DomainNotFound`, ...) or what went wrong on this side (`ConnectionFailed`, ...).
    let code: String
    let message: String
    var exitCode: CLIExitCode = .failure

    var description: String { message }

    static func usage(_ message: String) -> ClientError {
        ClientError(status: 0, code: "Usage", message: message, exitCode: .usage)
    }

    /// A non-2xx answer: its status, the server's code and message, and for a 401 how to pass a token.
    static func response(status: Int, reason: String, body: Data, tokenOrigin: String?) -> ClientError {
        let error = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["error"] as? [String: Any]
        let code = error?["code"] as? String ?? ""
        let detail = (error?["message"] as? String).map(oneLine) ?? oneLine(String(decoding: body.prefix(4096), as: UTF8.self))
        let head = "\(status) \(reason)" + (code.isEmpty || code == reason.replacingOccurrences(of: " ", with: "") ? "" : " (\(code))")
        let exitCode: CLIExitCode
        switch status {
        case 401, 403: exitCode = .auth
        case 404: exitCode = .notFound
        case 500...: exitCode = .server
        default: exitCode = .failure
        }
        let message: String
        switch (status, tokenOrigin) {
        case (401, nil):
            message = "\(head): no token was sent; pass --token, set DEPOT_TOKEN, or run 'depot configure'"
        case (401, let origin?):
            message = "\(head): \(detail.isEmpty ? "the token was refused" : detail) (token from \(origin)); "
                + "pass a valid one with --token, DEPOT_TOKEN or 'depot configure'"
        default:
            message = "\(head): \(detail.isEmpty ? "the server sent no details" : detail)"
        }
        return ClientError(status: status, code: code.isEmpty ? "HTTP\(status)" : code, message: message, exitCode: exitCode)
    }

    /// The first non-blank line of a body, cut short: an HTML error page must not flood the terminal.
    private static func oneLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
        return line.count > 200 ? line.prefix(200) + "…" : line
    }
}
