import DepotHTTP
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// How the server accepts connections: plain HTTP/1.1, or TLS with HTTP/1.1 and HTTP/2 chosen by ALPN.
/// `buildApplication` decides the channel handlers and limits; this only chooses what carries them.
public struct ServerTransport: Sendable {
    /// Nil when the server speaks plain HTTP.
    let certificates: ServerCertificates?

    /// Reads the certificate and key named by `server.tls.*` (a bad file stops start-up with the key named).
    public init(configuration: DepotConfiguration) throws {
        guard let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath else {
            certificates = nil
            return
        }
        certificates = try ServerCertificates(certificatePath: certificate, keyPath: key)
    }

    public var scheme: String { certificates == nil ? "http" : "https" }

    /// The Hummingbird server. `http1` (additional handlers, idle timeout, header limits) applies to every
    /// HTTP/1.1 connection and, on TLS, to every HTTP/2 stream too, so both protocols get the same handling.
    /// On TLS a connection whose handshake takes longer than `handshakeTimeout` is closed, and an HTTP/2 connection
    /// without a stream for `http2IdleTimeout`.
    public func server(
        http1: HTTP1Channel.Configuration, edgeCache: EdgeCache? = nil, http2IdleTimeout: TimeAmount? = nil,
        handshakeTimeout: TimeAmount = .seconds(10)
    ) throws -> HTTPServerBuilder {
        guard let certificates else {
            guard let edgeCache else { return .http1(configuration: http1) }
            return HTTPServerBuilder { responder in
                HandlerAddingChannel.edgeCache(HTTP1Channel(responder: responder, configuration: http1), cache: edgeCache)
            }
        }
        let idle = (http2IdleTimeout ?? http1.idleTimeout).map { Duration.nanoseconds($0.nanoseconds) }
        let tls = certificates.tlsConfiguration
        // Called once when the server is built (its TLS context too), not per connection.
        return HTTPServerBuilder { responder in
            HandlerAddingChannel.tlsHandshakeDeadline(
                try SecureHTTPChannel(
                    tls: tls, configuration: .init(idleTimeout: idle, streamConfiguration: http1), edgeCache: edgeCache, responder: responder),
                timeout: handshakeTimeout)
        }
    }

    /// What runs beside the server: on TLS, the SIGHUP certificate reload. The signal handler is installed here,
    /// before the server is ready, so an early SIGHUP cannot take the default action (terminate).
    public func services(logger: Logger) async -> [any Service] {
        guard let certificates else { return [] }
        return [CertificateReloadService(certificates: certificates, signals: await UnixSignalsSequence(trapping: .sighup), logger: logger)]
    }

    /// The start-up warning for plain HTTP on an address other machines can reach; nil when there is none.
    public func cleartextWarning(host: String) -> String? {
        guard certificates == nil, !Self.isLoopback(host) else { return nil }
        return "serving plain HTTP on \(host): tokens and Basic passwords cross the network in clear; "
            + "use --tls-cert/--tls-key (server.tls.*) or a TLS-terminating proxy"
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}

/// The certificate chain and key the server presents, read from their files at start and again on reload.
/// Every TLS handshake takes the pair current at that moment: new connections see a reloaded certificate,
/// open ones keep theirs.
final class ServerCertificates: Sendable {
    let certificatePath: String
    let keyPath: String
    private let initial: CertifiedKey
    private let current: NIOLockedValueBox<CertifiedKey>

    /// A certificate chain with the private key that belongs to its leaf.
    struct CertifiedKey: Sendable {
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource

        var override: NIOSSLContextConfigurationOverride {
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chain
            override.privateKey = key
            return override
        }
    }

    init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        initial = try Self.read(certificatePath: certificatePath, keyPath: keyPath)
        current = NIOLockedValueBox(initial)
    }

    /// Reads the files again; on any problem the current pair stays and the error is thrown.
    func reload() throws {
        let pair = try Self.read(certificatePath: certificatePath, keyPath: keyPath)
        current.withLockedValue { $0 = pair }
    }

    /// The server configuration: the pair read at start, replaced per handshake by the current one.
    var tlsConfiguration: TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: initial.chain, privateKey: initial.key)
        tls.sslContextCallback = { [current] _, promise in
            promise.succeed(current.withLockedValue { $0.override })
        }
        return tls
    }

    private static func read(certificatePath: String, keyPath: String) throws -> CertifiedKey {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ConfigurationError(key: "server.tls.certificate", "cannot read a PEM certificate from \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(key: "server.tls.certificate", "\(certificatePath) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw ConfigurationError(key: "server.tls.key", "cannot read a PEM private key from \(keyPath): \(error)")
        }
        let pair = CertifiedKey(chain: chain.map { .certificate($0) }, key: .privateKey(key))
        // Making a context checks that the key belongs to the certificate: a mismatch fails here, not per handshake.
        do {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: pair.chain, privateKey: pair.key))
        } catch {
            throw ConfigurationError(key: "server.tls.key", "\(keyPath) does not match the certificate in \(certificatePath): \(error)")
        }
        return pair
    }
}

/// Reloads the TLS certificate and key on SIGHUP, as nginx and HAProxy do, so a renewed certificate needs no restart.
struct CertificateReloadService: Service {
    let certificates: ServerCertificates
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try certificates.reload()
                logger.notice("reloaded the TLS certificate from \(certificates.certificatePath)")
            } catch {
                logger.error("TLS certificate not reloaded, the previous one stays: \(error)")
            }
        }
    }
}
