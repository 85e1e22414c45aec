import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#endif

/// Says in words why a request got no answer (AsyncHTTPClient, NIO and TLS errors print as type dumps).
struct ConnectionFailure {
    /// The server as the user named it, e.g. `http://127.0.0.1:9/`.
    let server: String
    let timeouts: ClientTimeouts

    func error(_ error: Error) -> ClientError {
        // The follower of a build log tells a quiet stream (IdleTimeout) from a lost server.
        let code = (error as? HTTPClientError) == .readTimeout ? Self.idleTimeoutCode : "ConnectionFailed"
        return ClientError(status: 0, code: code, message: line(for: error), exitCode: .connection)
    }

    static let idleTimeoutCode = "IdleTimeout"

    private func line(for error: Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "cannot connect to \(server): no connection within \(timeouts.connect) s"
            case .tlsHandshakeTimeout: return "cannot connect to \(server): the TLS handshake timed out"
            case .deadlineExceeded:
                return "no answer from \(server) within \(timeouts.request) s (wait longer with --request-timeout or DEPOT_REQUEST_TIMEOUT)"
            case .readTimeout: return "\(server) stopped answering: nothing received for \(timeouts.idle) s"
            case .remoteConnectionClosed: return "\(server) closed the connection before answering"
            case .invalidURL, .emptyHost: return "invalid server URL \(server)"
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            let text = "\(error)"
            let reason = text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate")
                ? "its certificate is not trusted (for a private CA pass --ca-cert or set DEPOT_CA_CERT)" : "TLS failed (\(text))"
            return "cannot connect to \(server): \(reason)"
        }
        if let io = Self.find(IOError.self, in: error) {
            return "cannot connect to \(server): \(String(cString: strerror(io.errnoCode)).lowercased())"
        }
        if Self.find(SocketAddressError.self, in: error) != nil || "\(error)".hasPrefix("DNS error") {
            return "cannot connect to \(server): unknown host"
        }
        if case ChannelError.connectTimeout = error {
            return "cannot connect to \(server): no connection within \(timeouts.connect) s"
        }
        return "cannot connect to \(server): \(CLIFailure.words(for: error))"
    }

    /// The first `T` inside `value`: NIO wraps the errno of a refused connection in NIOPosix's NIOConnectionError,
    /// a module this target does not import, so its fields are walked instead of named.
    private static func find<T>(_ type: T.Type, in value: Any, depth: Int = 0) -> T? {
        if let match = value as? T { return match }
        guard depth < 5 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let match = find(type, in: child.value, depth: depth + 1) { return match }
        }
        return nil
    }
}
