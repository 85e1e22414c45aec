import DepotHTTP
import Foundation
import Hummingbird
import HummingbirdCore
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The HTTP/1 channel configuration with the connection limits: header size and count enforced by the decoder,
/// and the connection guard (connection cap, header and idle time-outs, `100 Continue`). The plain and the TLS
/// server both build from this. The idle time-out is the guard's, not Hummingbird's: requests the edge cache
/// answers never reach Hummingbird's handler, which would take a connection busy with them for an idle one.
func limitedHTTP1Configuration(limits: ConnectionLimits, counter: ConnectionCounter) -> HTTP1Channel.Configuration {
    HTTP1Channel.Configuration(
        // Hummingbird does not answer `Expect: 100-continue`; without it every Maven PUT waits out a timeout.
        additionalChannelHandlers: connectionHandlers(limits: limits, counter: counter),
        idleTimeout: nil,
        // The decoder itself enforces the header limits (431 from the connection guard).
        httpDecoderConfiguration: .init(
            maxHeaderFieldSize: limits.maxHeaderSize, maxHeaderListSize: limits.maxHeaderSize, maxHeaderFieldCount: limits.maxHeaderCount))
}

/// File descriptors bound how many connections can really be held: each connection is one, an upload holds a temp
/// file too. Raises the soft limit to the hard one (as Go does) and caps the connection limit below what remains,
/// so the cap answers 503 before accept() starts failing.
func connectionCounter(limits: ConnectionLimits, logger: Logger) -> ConnectionCounter {
    var limit = rlimit()
    #if canImport(Glibc)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    guard getrlimit(resource, &limit) == 0 else { return ConnectionCounter(limit: limits.maxConnections) }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(resource, &raised) == 0 { limit = raised }
    }
    // Room for the database, blobs being read, builds and upstream connections; half of the rest for connections.
    let descriptors = Int(clamping: limit.rlim_cur)
    let affordable = max(16, (descriptors - 256) / 2)
    if limits.maxConnections > affordable {
        logger.warning(
            "limits.maxConnections \(limits.maxConnections) is more than \(descriptors) open files allow; using \(affordable)")
        return ConnectionCounter(limit: affordable)
    }
    return ConnectionCounter(limit: limits.maxConnections)
}
